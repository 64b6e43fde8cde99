import type { Gateway } from '../domain/purchase';
import { MENU } from '../sandbox/routeros/state';
import { GATEWAYS, purchase } from './lib/portal';
import { purchaseTarget, UNLIMITED_PORTAL } from './lib/purchases';
import { options, runBenchmark, saveResult } from './lib/results';
import { startBenchStack, type BenchStack } from './lib/stack';
import { distribution, median, medianOf, round } from './lib/stats';

/**
 * Benchmark 3: RouterOS round trips per purchase, counted by the simulated router. Purchases run one at a time; the
 * commands the router received between the request and the 200 are that purchase's critical path (the pooled
 * connection's login is done by a warm-up purchase; auto-connect is off). Then the same after seeding 10,000 hotspot
 * users straight into the simulator's state: a lookup that scanned the table would show as a full-table print.
 */

const opts = options({ runs: 3, purchases: 20, seedUsers: 10_000 });

interface Condition {
  routerUsers: number;
  gateway: Gateway;
  /** Round trips before the response, per purchase. */
  roundTrips: { median: number; max: number };
  /** Round trips in the 300 ms after the response (none expected: nothing else touches the router then). */
  afterResponse: number;
  fullTablePrints: number;
  /** Mean round trips per purchase, by command. */
  commands: Record<string, number>;
  latencyMs: ReturnType<typeof distribution>;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);
const snapshot = (stack: BenchStack) => ({ ...stack.sandbox.router.stats.commands });
const minus = (after: Record<string, number>, before: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(after).flatMap(([command, n]) => (n === (before[command] ?? 0) ? [] : [[command, n - (before[command] ?? 0)]])));

async function measure(stack: BenchStack, gateway: Gateway): Promise<Condition> {
  const router = stack.sandbox.router;
  const target = purchaseTarget(stack);
  const perPurchase: number[] = [];
  const latencies: number[] = [];
  const commands: Record<string, number> = {};
  let afterResponse = 0;
  const fullTableBefore = total(router.stats.fullTablePrints);
  for (let i = 0; i < opts.purchases; i++) {
    const before = snapshot(stack);
    const started = performance.now();
    const outcome = await purchase(gateway, target);
    latencies.push(performance.now() - started);
    if (!outcome.ok) throw new Error(`purchase failed: HTTP ${outcome.status}`);
    const atResponse = snapshot(stack);
    await new Promise((resolve) => setTimeout(resolve, 300));
    afterResponse += total(minus(snapshot(stack), atResponse));
    const critical = minus(atResponse, before);
    perPurchase.push(total(critical));
    for (const [command, n] of Object.entries(critical)) commands[command] = (commands[command] ?? 0) + n;
  }
  for (const command of Object.keys(commands)) commands[command] = round(commands[command] / opts.purchases, 2);
  const condition = {
    routerUsers: router.state.list(MENU.user).length,
    gateway,
    roundTrips: { median: median(perPurchase), max: Math.max(...perPurchase) },
    afterResponse,
    fullTablePrints: total(router.stats.fullTablePrints) - fullTableBefore,
    commands,
    latencyMs: distribution(latencies),
  };
  console.log(
    `  ${gateway.padEnd(12)} ${String(condition.routerUsers).padStart(6)} users on the router: ${condition.roundTrips.median} round trips ` +
      `(max ${condition.roundTrips.max}) ${JSON.stringify(commands)}, ${condition.fullTablePrints} full-table prints, ` +
      `${afterResponse} after the response, p50 ${condition.latencyMs.p50} ms`,
  );
  return condition;
}

function seedUsers(stack: BenchStack, count: number): void {
  for (let i = 0; i < count; i++) {
    stack.sandbox.router.state.add(MENU.user, { name: `seed${i}`, password: 'seeded', profile: 'default', comment: 'seeded by bench' });
  }
}

async function run(index: number): Promise<Condition[]> {
  console.log(`run ${index + 1}/${opts.runs}: starting the stack…`);
  const stack = await startBenchStack({ env: UNLIMITED_PORTAL });
  try {
    for (const gateway of GATEWAYS) await purchase(gateway, purchaseTarget(stack)); // connects and logs in once
    const conditions: Condition[] = [];
    for (const gateway of GATEWAYS) conditions.push(await measure(stack, gateway));
    seedUsers(stack, opts.seedUsers);
    for (const gateway of GATEWAYS) conditions.push(await measure(stack, gateway));
    return conditions;
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const runs: Condition[][] = [];
  for (let i = 0; i < opts.runs; i++) runs.push(await run(i));
  const summary = runs[0].map((_, i) => medianOf(runs.map((conditions) => conditions[i])));
  console.log(`\nmedians over ${runs.length} runs (target: ≤ 3 round trips before the response, no full-table print, not growing with users):`);
  for (const c of summary) {
    console.log(
      `  ${c.gateway.padEnd(12)} ${String(c.routerUsers).padStart(6)} users: ${c.roundTrips.median} round trips (max ${c.roundTrips.max}), ` +
        `${c.fullTablePrints} full-table prints, p50 ${c.latencyMs.p50} ms`,
    );
  }
  saveResult('router', { options: opts, env: UNLIMITED_PORTAL, summary, runs });
}

runBenchmark(main);
