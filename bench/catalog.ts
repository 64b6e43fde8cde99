import { autocannon, type CannonResult } from './lib/autocannon';
import { options, runBenchmark, saveResult } from './lib/results';
import { startBenchStack } from './lib/stack';
import { medianOf } from './lib/stats';

/**
 * Benchmark 2: `GET /api/v1/catalogo_perfiles_venta` with the demo router's key, autocannon at 64 connections against
 * one API process. One stack, a warm-up, then several measured runs; medians over runs.
 */

const opts = options({ runs: 3, connections: 64, seconds: 20, warmupSeconds: 5 });

/** Every request carries the same key from the same IP: the portal's limits (1,200 and 600 a minute) would answer 429. */
const UNLIMITED_READS = { RATE_LIMIT_PER_KEY_PER_MINUTE: '10000000', RATE_LIMIT_PER_IP_PER_MINUTE: '10000000' };

async function main(): Promise<void> {
  const stack = await startBenchStack({ env: UNLIMITED_READS });
  const runs: CannonResult[] = [];
  try {
    const url = `${stack.apiUrl}/api/v1/catalogo_perfiles_venta`;
    const load = (seconds: number) =>
      autocannon(url, { connections: opts.connections, seconds, headers: { authorization: `Bearer ${stack.apiKey}` }, groups: stack.groups });
    await load(opts.warmupSeconds);
    for (let i = 0; i < opts.runs; i++) {
      const result = await load(opts.seconds);
      console.log(
        `  run ${i + 1}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
          `${result.non2xx} non-2xx, ${result.errors} errors; cores ${JSON.stringify(result.cores)}`,
      );
      runs.push(result);
    }
  } finally {
    await stack.stop();
  }
  const median = medianOf(runs);
  console.log(
    `\nmedian of ${runs.length} runs at ${opts.connections} connections: ${median.requestsPerSecond} req/s (target ≥ 3,000), ` +
      `p99 ${median.latencyMs.p99} ms (target ≤ 20 ms), ${median.non2xx + median.errors} failed`,
  );
  saveResult('catalog', { options: opts, env: UNLIMITED_READS, median, runs });
}

runBenchmark(main);
