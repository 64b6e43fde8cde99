import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../shared/logger';

const LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR' };

/**
 * Sends the Temporal SDK's own log lines (worker state, workflow and activity logs) through our logger, so they are
 * JSON, redacted and filtered like the rest. Installed once per process, before any worker or connection exists.
 */
export function installTemporalLogger(logger: Logger): void {
  const level = LEVELS[logger.level] ?? 'WARN';
  try {
    Runtime.install({
      logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
        const method = entryLevel.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
        logger[method]({ ...meta, component: 'temporal' }, message);
      }),
      // The SDK's native core logs too; forward them through the same logger and level instead of raw stderr.
      telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
    });
  } catch {
    // Already installed in this process (tests start several workers): the first logger stays.
  }
}
