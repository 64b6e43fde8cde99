import path from 'node:path';
import type { Gateway } from '../domain/purchase';
import { GATEWAYS } from './lib/portal';
import { purchasePhase, UNLIMITED_PORTAL, type PurchasePhase } from './lib/purchases';
import { options, runBenchmark, saveResult } from './lib/results';
import { startBenchStack, type BenchStack } from './lib/stack';
import { medianOf, round } from './lib/stats';

/**
 * Benchmark 1: purchases end to end, `POST /api/v1/payments/pagar-conekta` and `pagar-mercado-pago` with a fresh
 * approving token each → 200 with credentials. Latency at 1, 20 and 100 concurrent clients, then purchases per second
 * sustained by many clients. Each run starts its own stack; medians over runs.
 *
 * Benchmark 5 is the same with `--gateway-latency-ms 300`: the gateway simulators answer every call that late. A
 * zero-latency phase at one client comes first, so the number of gateway calls a purchase waits for is measured
 * (k ≈ (p50 at 300 ms − p50 at 0 ms) / 300), and what we add on top of the gateway's time is p50 − k × 300 ms.
 *
 * `--temporal-db memory` keeps the Temporal dev server's SQLite in memory (`npm run dev` writes a file).
 * `--profile <folder>` writes CPU profiles of the API and the worker there (see `bench/profile-summary.ts`).
 */

const opts = options({
  runs: 3,
  clients: '1,20,100',
  warmupSeconds: 3,
  phaseSeconds: 15,
  sustainedClients: 50,
  sustainedSeconds: 60,
  gateways: GATEWAYS.join(','),
  gatewayLatencyMs: 0,
  temporalDb: 'file',
  profile: '',
});

interface Phase extends PurchasePhase {
  gatewayLatencyMs: number;
  sustained: boolean;
}

function setGatewayLatency(stack: BenchStack, ms: number): void {
  stack.sandbox.conekta.setLatency(ms);
  stack.sandbox.mercadoPago.setLatency(ms);
}

async function run(index: number): Promise<Phase[]> {
  console.log(`run ${index + 1}/${opts.runs}: starting the stack…`);
  const stack = await startBenchStack({
    env: UNLIMITED_PORTAL,
    temporalInMemory: opts.temporalDb === 'memory',
    profileDir: opts.profile ? path.join(opts.profile, `run-${index + 1}`) : undefined,
  });
  const timing = { warmupSeconds: opts.warmupSeconds, measureSeconds: opts.phaseSeconds };
  try {
    const phases: Phase[] = [];
    for (const gateway of opts.gateways.split(',') as Gateway[]) {
      if (opts.gatewayLatencyMs > 0) {
        setGatewayLatency(stack, 0);
        phases.push({ ...(await purchasePhase(stack, gateway, 1, timing)), gatewayLatencyMs: 0, sustained: false });
      }
      setGatewayLatency(stack, opts.gatewayLatencyMs);
      for (const clients of opts.clients.split(',').map(Number)) {
        phases.push({ ...(await purchasePhase(stack, gateway, clients, timing)), gatewayLatencyMs: opts.gatewayLatencyMs, sustained: false });
      }
      if (opts.sustainedSeconds > 0) {
        const sustained = await purchasePhase(stack, gateway, opts.sustainedClients, { ...timing, measureSeconds: opts.sustainedSeconds });
        phases.push({ ...sustained, gatewayLatencyMs: opts.gatewayLatencyMs, sustained: true });
      }
    }
    return phases;
  } finally {
    await stack.stop();
  }
}

/** Per gateway: sequential gateway calls per purchase, and each phase's latency minus the time spent waiting for them. */
function gatewayOverhead(phases: Phase[]) {
  const latency = opts.gatewayLatencyMs;
  return (opts.gateways.split(',') as Gateway[]).map((gateway) => {
    const own = phases.filter((p) => p.gateway === gateway);
    const reference = own.find((p) => p.gatewayLatencyMs === 0)!;
    const single = own.find((p) => p.gatewayLatencyMs === latency && p.clients === 1)!;
    const calls = Math.round((single.latencyMs.p50 - reference.latencyMs.p50) / latency);
    return {
      gateway,
      gatewayCallsPerPurchase: calls,
      phases: own
        .filter((p) => p.gatewayLatencyMs === latency)
        .map((p) => ({ clients: p.clients, overheadP50Ms: round(p.latencyMs.p50 - calls * latency), overheadP99Ms: round(p.latencyMs.p99 - calls * latency) })),
    };
  });
}

async function main(): Promise<void> {
  const runs: Phase[][] = [];
  for (let i = 0; i < opts.runs; i++) runs.push(await run(i));
  const median = runs[0].map((_, i) => medianOf(runs.map((phases) => phases[i])));
  console.log(`\nmedians over ${runs.length} runs:`);
  console.log('gateway      latency  clients  seconds   p50 ms   p99 ms   purchases/s  errors  SQL/purchase');
  for (const p of median) {
    console.log(
      [p.gateway.padEnd(12), `${p.gatewayLatencyMs}`.padStart(7), `${p.clients}${p.sustained ? '*' : ''}`.padStart(8), `${p.seconds}`.padStart(8),
        `${p.latencyMs.p50}`.padStart(8), `${p.latencyMs.p99}`.padStart(8), `${p.perSecond}`.padStart(13), `${p.errors}`.padStart(7), `${p.sqlPerPurchase}`.padStart(13)].join(' '),
    );
  }
  console.log('* sustained phase (targets: p50 ≤ 150 ms and p99 ≤ 500 ms at 20 clients; ≥ 50 purchases/s sustained, zero errors)');
  const overhead = opts.gatewayLatencyMs > 0 ? gatewayOverhead(median) : undefined;
  for (const g of overhead ?? []) {
    console.log(
      `${g.gateway}: ${g.gatewayCallsPerPurchase} gateway calls of ${opts.gatewayLatencyMs} ms per purchase; our overhead on top: ` +
        g.phases.map((p) => `${p.clients} clients p50 ${p.overheadP50Ms} ms / p99 ${p.overheadP99Ms} ms`).join(', '),
    );
  }
  saveResult(opts.gatewayLatencyMs > 0 ? 'gateway-latency' : 'purchase', { options: opts, env: UNLIMITED_PORTAL, median, overhead, runs });
}

runBenchmark(main);
