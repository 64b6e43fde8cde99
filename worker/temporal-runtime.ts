import { DefaultLogger, Runtime, type LogEntry, type LogLevel, type RuntimeOptions } from '@temporalio/worker';
import { stdSerializers } from 'pino';
import type { Logger } from '../shared/logger';
import { freePort } from '../shared/ports';

const LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR' };

/**
 * Installs the Temporal SDK's runtime, once per process, before any worker or connection exists. Its log lines
 * (worker state, workflow and activity logs, the native core's) go through our logger, so they are JSON, redacted
 * and filtered like the rest. Tests start several workers in one process: the first installation stays.
 */
export function installTemporalLogger(logger: Logger): void {
  try {
    Runtime.install(runtimeOptions(logger));
  } catch {
    // Already installed in this process.
  }
}

/**
 * The worker process's installation: the logger above, and the SDK's own worker metrics (task slots, poll and
 * schedule-to-start latencies, sticky cache, workflow task failures…) from its Prometheus exporter, bound to a free
 * loopback port. Our /metrics appends them to ours (worker/ops-server.ts), so a worker is one scrape target.
 * Returns that exporter's URL.
 */
export async function installTemporalRuntime(logger: Logger): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const options = runtimeOptions(logger);
    try {
      Runtime.install({
        ...options,
        telemetryOptions: {
          ...options.telemetryOptions,
          metrics: { prometheus: { bindAddress: `127.0.0.1:${port}`, countersTotalSuffix: true, useSecondsForDurations: true } },
        },
      });
      return `http://127.0.0.1:${port}/metrics`;
    } catch (error) {
      // Another process took the port between our check and the exporter's bind: pick another.
      if (attempt >= 5 || !/address already in use/i.test((error as Error).message)) throw error;
    }
  }
}

function runtimeOptions(logger: Logger): RuntimeOptions {
  const level = LEVELS[logger.level] ?? 'WARN';
  return {
    logger: new DefaultLogger(level, forwardLogEntries(logger)),
    // The SDK's native core logs too; forward them through the same logger and level instead of raw stderr.
    telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
  };
}

/**
 * Where the SDK's log entries go: our logger, with any error among their fields written out as its type, message and
 * stack (the SDK logs `{ error }`; an error's own fields are not enumerable, so it would print as `{}`).
 */
export function forwardLogEntries(logger: Logger): (entry: LogEntry) => void {
  return ({ level, message, meta }) => {
    const method = level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
    const fields = Object.fromEntries(Object.entries(meta ?? {}).map(([key, value]) => [key, value instanceof Error ? stdSerializers.err(value) : value]));
    logger[method]({ ...fields, component: 'temporal' }, message);
  };
}
