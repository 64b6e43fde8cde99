import type { Gateway } from '../../domain/purchase';
import { closedLoop, type PhaseResult } from './load';
import { purchase, type PurchaseTarget } from './portal';
import { cpuMeter } from './procs';
import type { BenchStack } from './stack';
import { round } from './stats';

/** Purchase load phases against a running stack, shared by the purchase and gateway-latency benchmarks. */

/**
 * The portal's rate limits (1,200 per key and 600 per IP a minute, 30 purchases per IP a minute) would cap one
 * benchmark client at a purchase every two seconds; every request comes from one key and one IP here, and every
 * gateway notification from the simulators' one address.
 */
export const UNLIMITED_PORTAL = {
  RATE_LIMIT_PER_KEY_PER_MINUTE: '1000000',
  RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
  RATE_LIMIT_PURCHASES_PER_IP_PER_MINUTE: '1000000',
  RATE_LIMIT_WEBHOOKS_PER_IP_PER_MINUTE: '1000000',
};

export interface PurchasePhase extends PhaseResult {
  gateway: Gateway;
  /** CPU milliseconds per successful purchase, by component. */
  cpuMsPerPurchase: Record<string, number>;
  /** Cores busy with other processes of the machine meanwhile (other people's work skews the numbers). */
  otherCores: number;
  /** SQL statements run by the API and the worker per successful purchase (pg_stat_statements, over the window). */
  sqlPerPurchase: number;
}

export function purchaseTarget(stack: BenchStack): PurchaseTarget {
  const [product] = stack.demo.products;
  return { apiUrl: stack.apiUrl, apiKey: stack.apiKey, productId: product.id, price: product.priceCents / 100 };
}

export async function purchasePhase(
  stack: BenchStack,
  gateway: Gateway,
  clients: number,
  timing: { warmupSeconds: number; measureSeconds: number },
): Promise<PurchasePhase> {
  const target = purchaseTarget(stack);
  let measure: (() => Record<string, number>) | undefined;
  let sqlBefore: Promise<number> | undefined;
  const warmup = setTimeout(() => {
    measure = cpuMeter(stack.groups);
    sqlBefore = stack.sqlStatements();
  }, timing.warmupSeconds * 1000);
  const result = await closedLoop({
    clients,
    warmupMs: timing.warmupSeconds * 1000,
    measureMs: timing.measureSeconds * 1000,
    request: () => purchase(gateway, target),
  });
  clearTimeout(warmup);
  const { others = 0, ...cpu } = measure?.() ?? {};
  const statements = (await stack.sqlStatements()) - ((await sqlBefore) ?? 0);
  const cpuMsPerPurchase = Object.fromEntries(
    Object.entries(cpu).map(([name, seconds]) => [name, round((seconds * 1000) / Math.max(result.completed, 1), 2)]),
  );
  const sqlPerPurchase = round(statements / Math.max(result.completed, 1), 1);
  const phase = { gateway, ...result, cpuMsPerPurchase, otherCores: round(others / result.seconds, 2), sqlPerPurchase };
  console.log(
    `  ${gateway.padEnd(12)} ${String(clients).padStart(3)} clients: p50 ${phase.latencyMs.p50} ms, p99 ${phase.latencyMs.p99} ms, ` +
      `${phase.perSecond}/s, ${phase.errors} errors${phase.errors ? ` ${JSON.stringify(phase.failures)}` : ''}; ` +
      `CPU ms/purchase ${JSON.stringify(phase.cpuMsPerPurchase)}, SQL statements/purchase ${phase.sqlPerPurchase}, other load ${phase.otherCores} cores`,
  );
  return phase;
}
