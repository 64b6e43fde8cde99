/**
 * A per-account request budget for the gateway simulators (a token bucket per bearer token): a second's worth of
 * requests may come at once, then they are let through at the steady rate. Neither Conekta nor Mercado Pago publishes
 * its numbers; both answer 429 with `Retry-After` when a client goes too fast, and that is what is imitated.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** null = unlimited. */
  constructor(private perSecond: number | null) {}

  set(perSecond: number | null): void {
    this.perSecond = perSecond !== null && perSecond > 0 ? perSecond : null;
    this.buckets.clear();
  }

  get(): number | null {
    return this.perSecond;
  }

  /** Spends one request of `account`'s budget: undefined when allowed, else the seconds to wait (Retry-After). */
  take(account: string, now = Date.now()): number | undefined {
    const rate = this.perSecond;
    if (rate === null) return undefined;
    const bucket = this.buckets.get(account) ?? { tokens: rate, at: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) * rate) / 1000);
    bucket.at = now;
    this.buckets.set(account, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
  }
}
