import type { DataSource } from 'typeorm';
import { autocannon, type CannonResult } from './lib/autocannon';
import { options, runBenchmark, saveResult } from './lib/results';
import { startBenchStack } from './lib/stack';
import { medianOf, round } from './lib/stats';

/**
 * Benchmark 2: `GET /api/v1/catalogo_perfiles_venta` with the demo router's key, autocannon at 64 connections against
 * one API process at a time. Two API processes run side by side on the one stack: `shared` counts the rate limits in
 * PostgreSQL (the default, RATE_LIMIT_STORE=postgres), `per-process` in its own memory (RATE_LIMIT_STORE=memory).
 * After a warm-up of each, the runs alternate between them (shared, per-process, shared, …) so that whatever else
 * the machine does weighs on both alike; medians over runs.
 */

const opts = options({ runs: 3, connections: 64, seconds: 20, warmupSeconds: 5 });

/** Every request carries the same key from the same IP: the portal's limits (1,200 and 600 a minute) would answer 429. */
const UNLIMITED_READS = { RATE_LIMIT_PER_KEY_PER_MINUTE: '10000000', RATE_LIMIT_PER_IP_PER_MINUTE: '10000000' };
const VARIANTS = { shared: 'postgres', 'per-process': 'memory' } as const;
type Variant = keyof typeof VARIANTS;

/** Row writes PostgreSQL made to the rate-limit table so far: what the shared limits cost the database. */
async function rateLimitWrites(db: DataSource): Promise<number> {
  const [row] = (await db.query(
    `SELECT n_tup_ins + n_tup_upd AS writes FROM pg_stat_user_tables WHERE relname = 'rate_limit_windows'`,
  )) as { writes: string }[];
  return Number(row?.writes ?? 0);
}

async function main(): Promise<void> {
  const stack = await startBenchStack({
    env: { ...UNLIMITED_READS, RATE_LIMIT_STORE: VARIANTS.shared },
    extraApis: { 'api-per-process': { RATE_LIMIT_STORE: VARIANTS['per-process'] } },
  });
  const apis: Record<Variant, { url: string; pid: number }> = {
    shared: { url: stack.apiUrl, pid: stack.groups.api },
    'per-process': stack.extraApis['api-per-process'],
  };
  const runs: Record<Variant, (CannonResult & { rateLimitWritesPerThousand: number; cpuMsPerRequest: number })[]> = { shared: [], 'per-process': [] };
  try {
    const load = (variant: Variant, seconds: number) =>
      autocannon(`${apis[variant].url}/api/v1/catalogo_perfiles_venta`, {
        connections: opts.connections,
        seconds,
        headers: { authorization: `Bearer ${stack.apiKey}` },
        groups: { ...stack.groups, api: apis[variant].pid },
      });
    for (const variant of Object.keys(VARIANTS) as Variant[]) await load(variant, opts.warmupSeconds);
    for (let i = 0; i < opts.runs; i++) {
      for (const variant of Object.keys(VARIANTS) as Variant[]) {
        // the statistics collector reports a moment late: read after the previous run settled
        const before = await rateLimitWrites(stack.db);
        const result = await load(variant, opts.seconds);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const writes = (await rateLimitWrites(stack.db)) - before;
        const rateLimitWritesPerThousand = round((writes / result.requests) * 1000, 3);
        // What a request costs the API and PostgreSQL in CPU: unlike req/s, it does not move with what else the machine runs.
        const cpuMsPerRequest = round(((result.cores.api + result.cores.postgres) * 1000) / result.requestsPerSecond, 3);
        console.log(
          `  run ${i + 1} ${variant}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
            `${result.non2xx} non-2xx, ${result.errors} errors; rate-limit row writes ${writes} (${rateLimitWritesPerThousand} per 1,000 requests); ` +
            `API + PostgreSQL CPU ${cpuMsPerRequest} ms per request; cores ${JSON.stringify(result.cores)}`,
        );
        runs[variant].push({ ...result, rateLimitWritesPerThousand, cpuMsPerRequest });
      }
    }
  } finally {
    await stack.stop();
  }
  const median = { shared: medianOf(runs.shared), 'per-process': medianOf(runs['per-process']) };
  const ratio = median.shared.requestsPerSecond / median['per-process'].requestsPerSecond;
  for (const variant of Object.keys(VARIANTS) as Variant[]) {
    console.log(
      `\n${variant}: median of ${opts.runs} runs at ${opts.connections} connections: ${median[variant].requestsPerSecond} req/s (target ≥ 3,000), ` +
        `p99 ${median[variant].latencyMs.p99} ms (target ≤ 20 ms), ${median[variant].non2xx + median[variant].errors} failed, ` +
        `API + PostgreSQL CPU ${median[variant].cpuMsPerRequest} ms per request`,
    );
  }
  console.log(`\nshared / per-process throughput: ${(ratio * 100).toFixed(1)} % (target ≥ 90 %)`);
  saveResult('catalog', { options: opts, env: UNLIMITED_READS, median, ratio, runs });
}

runBenchmark(main);
