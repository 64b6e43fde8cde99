/**
 * Test card tokens, shared by the Conekta and Mercado Pago simulators: `tok_test_<scenario>_<anything>`, so each
 * request can use a fresh (single-use) token. Documented in sandbox/README.md.
 */
export const SCENARIOS = [
  'approved',
  'declined',
  'insufficient_funds',
  'stolen',
  'fraud',
  'pending_approve',
  'pending_reject',
  '3ds',
  'slow',
  'error',
  'flaky',
  'timeout',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Decline reasons every gateway simulator can produce. */
export const DECLINE_REASONS = [
  'declined',
  'insufficient_funds',
  'stolen',
  'fraud',
] as const satisfies readonly Scenario[];
export type DeclineReason = (typeof DECLINE_REASONS)[number];

export function isDeclineReason(scenario: Scenario): scenario is DeclineReason {
  return (DECLINE_REASONS as readonly Scenario[]).includes(scenario);
}

/** Longest names first, so `pending_approve` is not read as a shorter scenario. */
const BY_LENGTH = [...SCENARIOS].sort((a, b) => b.length - a.length);

/** The scenario a card token asks for, or undefined for a token the simulator never issued. */
export function scenarioOf(token: string): Scenario | undefined {
  if (!token.startsWith('tok_test_')) return undefined;
  const rest = token.slice('tok_test_'.length);
  return BY_LENGTH.find((s) => rest === s || rest.startsWith(`${s}_`));
}

/** How a pending charge or a 3-D Secure challenge ends, when a test (or the 3-D Secure page) says so. */
export type Settlement = 'approved' | 'declined';

export function isSettlement(value: unknown): value is Settlement {
  return value === 'approved' || value === 'declined';
}

export interface ScenarioTiming {
  /** How long a `slow` token's answer takes. */
  slowMs: number;
  /** Settle `pending_*` charges by themselves after this long; undefined = only when told to. */
  autoSettleMs?: number;
}

/** Tracks single-use tokens and the `flaky` tokens that already failed once. */
export class TokenBook {
  private readonly used = new Set<string>();
  private readonly failedOnce = new Set<string>();

  isUsed(token: string): boolean {
    return this.used.has(token);
  }

  use(token: string): void {
    this.used.add(token);
  }

  /** True on a `flaky` token's first attempt only. */
  failsNow(token: string): boolean {
    if (this.failedOnce.has(token)) return false;
    this.failedOnce.add(token);
    return true;
  }

  clear(): void {
    this.used.clear();
    this.failedOnce.clear();
  }
}

/** Timers that settle pending charges by themselves (ScenarioTiming.autoSettleMs); never keep the process alive. */
export class SettleTimers {
  private readonly timers = new Set<NodeJS.Timeout>();

  after(ms: number, settle: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      settle();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
