/**
 * Fixed-window counters in memory, per key. Enough for one API process; several processes each keep their own
 * windows, which only makes the limit looser by that factor.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `key` may try again, or 0 when it is under the limit. Does not count an attempt. */
  retryAfter(key: string): number {
    const window = this.current(key);
    return window && window.count >= this.limit ? Math.ceil((window.start + this.windowMs - this.now()) / 1000) : 0;
  }

  hit(key: string): void {
    const window = this.current(key);
    if (window) window.count += 1;
    else this.windows.set(key, { start: this.now(), count: 1 });
    if (this.windows.size > 100_000) this.prune();
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string) {
    const window = this.windows.get(key);
    if (window && this.now() - window.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private prune() {
    for (const key of this.windows.keys()) this.current(key);
  }
}
