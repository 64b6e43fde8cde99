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
  /** The same by statement (normalized text, shortened), most frequent first; statements under 0.05 per purchase left out. */
  sqlBreakdown: Record<string, number>;
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
  let sqlBefore: Promise<Map<string, number>> | undefined;
  const warmup = setTimeout(() => {
    measure = cpuMeter(stack.groups);
    sqlBefore = stack.sqlStatementsByText();
  }, timing.warmupSeconds * 1000);
  const result = await closedLoop({
    clients,
    warmupMs: timing.warmupSeconds * 1000,
    measureMs: timing.measureSeconds * 1000,
    request: () => purchase(gateway, target),
  });
  clearTimeout(warmup);
  const { others = 0, ...cpu } = measure?.() ?? {};
  const { statements, sqlBreakdown } = sqlPerStatement((await sqlBefore) ?? new Map(), await stack.sqlStatementsByText(), result.completed);
  const cpuMsPerPurchase = Object.fromEntries(
    Object.entries(cpu).map(([name, seconds]) => [name, round((seconds * 1000) / Math.max(result.completed, 1), 2)]),
  );
  const sqlPerPurchase = round(statements / Math.max(result.completed, 1), 1);
  const phase = { gateway, ...result, cpuMsPerPurchase, otherCores: round(others / result.seconds, 2), sqlPerPurchase, sqlBreakdown };
  console.log(
    `  ${gateway.padEnd(12)} ${String(clients).padStart(3)} clients: p50 ${phase.latencyMs.p50} ms, p99 ${phase.latencyMs.p99} ms, ` +
      `${phase.perSecond}/s, ${phase.errors} errors${phase.errors ? ` ${JSON.stringify(phase.failures)}` : ''}; ` +
      `CPU ms/purchase ${JSON.stringify(phase.cpuMsPerPurchase)}, SQL statements/purchase ${phase.sqlPerPurchase}, other load ${phase.otherCores} cores`,
  );
  for (const [text, each] of Object.entries(sqlBreakdown)) console.log(`    ${String(each).padStart(6)}  ${text}`);
  return phase;
}

/** Statements run between two pg_stat_statements snapshots: their total, and per purchase by statement text. */
function sqlPerStatement(before: Map<string, number>, after: Map<string, number>, purchases: number) {
  let statements = 0;
  const byText = new Map<string, number>(); // statements whose shortened texts are the same are counted together
  for (const [text, calls] of after) {
    const ran = calls - (before.get(text) ?? 0);
    statements += ran;
    const short = text.length > 160 ? `${text.slice(0, 157)}...` : text;
    byText.set(short, (byText.get(short) ?? 0) + ran);
  }
  const perPurchase = [...byText]
    .map(([text, ran]): [string, number] => [text, round(ran / Math.max(purchases, 1), 2)])
    .filter(([, each]) => each >= 0.05)
    .sort((a, b) => b[1] - a[1]);
  return { statements, sqlBreakdown: Object.fromEntries(perPurchase) };
}
