import { monitorEventLoopDelay } from 'node:perf_hooks';
import { distribution, round, type Distribution } from './stats';

/**
 * A closed-loop load driver: `clients` loops each send one request, wait for its answer, and send the next, for a
 * warm-up (not counted) and then a measured window. For requests that must differ each time (a fresh card token per
 * purchase), where autocannon's fixed requests do not fit.
 */

export interface Outcome {
  ok: boolean;
  /** HTTP status or error name, to say what went wrong. */
  status: string;
}

export interface PhaseResult {
  clients: number;
  seconds: number;
  completed: number;
  errors: number;
  /** Completed (successful) requests per second over the measured window. */
  perSecond: number;
  latencyMs: Distribution;
  /** Answers that were not a success, by status. */
  failures: Record<string, number>;
  /** Event-loop delay p99 of this process (driver and simulators): large values would inflate the latencies. */
  driverLoopDelayP99Ms: number;
}

export async function closedLoop(options: {
  clients: number;
  warmupMs: number;
  /** How long to measure after the warm-up; or until `requests` have been sent. */
  measureMs?: number;
  requests?: number;
  request: () => Promise<Outcome>;
}): Promise<PhaseResult> {
  const { clients, warmupMs, measureMs = Infinity, request } = options;
  const measureFrom = performance.now() + warmupMs;
  const end = measureFrom + measureMs;
  let left = options.requests ?? Infinity;
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let errors = 0;
  const client = async () => {
    while (performance.now() < end && left-- > 0) {
      const started = performance.now();
      const outcome = await request().catch((error: unknown): Outcome => ({ ok: false, status: (error as Error).name }));
      if (started < measureFrom) continue;
      if (outcome.ok) latencies.push(performance.now() - started);
      else {
        errors++;
        failures[outcome.status] = (failures[outcome.status] ?? 0) + 1;
      }
    }
  };
  setTimeout(() => loop.enable(), warmupMs).unref();
  await Promise.all(Array.from({ length: clients }, client));
  loop.disable();
  const seconds = (performance.now() - measureFrom) / 1000;
  return {
    clients,
    seconds: round(seconds),
    completed: latencies.length,
    errors,
    perSecond: round(latencies.length / seconds),
    latencyMs: distribution(latencies),
    failures,
    driverLoopDelayP99Ms: round(loop.percentile(99) / 1e6),
  };
}
