import type { WindowCounts } from './rate-limit-store';

/** A limit on one thing (a router key, an IP, an email): at most `limit` hits per window of `windowMs`. */
export interface Bucket {
  /** The limit's name and the key it counts, e.g. `ip:203.0.113.7`. */
  id: string;
  limit: number;
  windowMs: number;
}

/** Hits this process took from a bucket's window in advance, handed out to its requests without asking the store. */
interface Lease {
  units: number;
  /** When the window ends, by this process's clock. */
  end: number;
  /** The window has no hits left: refuse until it ends. */
  full: boolean;
  /** How many to take next time: doubles while a bucket is busy, never more than an eighth of what is left. */
  size: number;
  taking?: Promise<void>;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Rate limits over windows every API process shares (`WindowCounts`). A busy bucket must not cost a database
 * statement per request, so `take` hands out hits this process took from the window in advance: a lease starts at
 * one hit and doubles each time it is used up, capped at an eighth of what the window has left, so a quiet bucket
 * takes one hit at a time and a busy one asks the store a few dozen times per window. Leases never pass the limit (the
 * store grants nothing past it); hits leased but unused when a window ends are lost, which can refuse a client a
 * little before the limit, never after. A full window is refused without asking the store again until it ends.
 *
 * Failure counters (logins, hotspot credentials) count straight in the store (`retryAfter`, `hit`, `reset`): they
 * are rare, and must be exact from the first failure.
 */
export class RateLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly counts: WindowCounts,
    private readonly now: () => number = Date.now,
    pruneIntervalMs = 60_000,
  ) {
    this.timer = setInterval(() => void this.prune().catch(() => undefined), pruneIntervalMs);
    this.timer.unref();
  }

  /** Takes one hit from every bucket, or none: 0 when taken, else the seconds until the full ones have room. */
  async take(buckets: Bucket[]): Promise<number> {
    const results = await Promise.all(buckets.map((bucket) => this.takeOne(bucket)));
    const wait = Math.max(0, ...results.map((result) => result.wait));
    // A request refused by one limit does not count against the others.
    if (wait > 0) for (const { lease } of results) if (lease && lease.end > this.now()) lease.units += 1;
    return wait;
  }

  /** Seconds until every bucket is under its limit (0: all are). Counts nothing. */
  async retryAfter(buckets: Bucket[]): Promise<number> {
    const windows = await this.counts.peek(buckets.map((bucket) => bucket.id));
    return Math.max(0, ...buckets.map(({ id, limit }) => {
      const window = windows.get(id);
      return window && window.hits >= limit ? seconds(window.msLeft) : 0;
    }));
  }

  /** Counts one hit against each bucket (a failed try, an attempt), straight in the store. */
  async hit(buckets: Bucket[]): Promise<void> {
    await Promise.all(buckets.map(({ id, limit, windowMs }) => this.counts.take({ bucket: id, limit, windowMs, want: 1 })));
  }

  async reset(bucket: Bucket): Promise<void> {
    await this.counts.reset(bucket.id);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async takeOne(bucket: Bucket): Promise<{ wait: number; lease?: Lease }> {
    for (;;) {
      const lease = this.lease(bucket.id);
      if (lease.units > 0) {
        lease.units -= 1;
        return { wait: 0, lease };
      }
      if (lease.full) return { wait: seconds(lease.end - this.now()) };
      // One request asks the store for the bucket; the others arriving meanwhile wait for its answer.
      lease.taking ??= this.refill(bucket, lease).finally(() => (lease.taking = undefined));
      await lease.taking;
    }
  }

  private lease(id: string): Lease {
    let lease = this.leases.get(id);
    if (!lease) {
      if (this.leases.size >= 100_000) this.forgetEnded();
      this.leases.set(id, (lease = { units: 0, end: 0, full: false, size: 1 }));
    } else if (lease.end <= this.now() && !lease.taking) {
      lease.units = 0;
      lease.full = false;
    }
    return lease;
  }

  private async refill(bucket: Bucket, lease: Lease): Promise<void> {
    const want = lease.size;
    const { granted, hits, msLeft } = await this.counts.take({ bucket: bucket.id, limit: bucket.limit, windowMs: bucket.windowMs, want });
    lease.units += granted;
    lease.end = this.now() + msLeft;
    lease.full = granted < want;
    lease.size = Math.max(1, Math.min(want * 2, Math.floor((bucket.limit - hits) / 8)));
  }

  private forgetEnded(): void {
    const now = this.now();
    for (const [id, lease] of this.leases) if (lease.end <= now && !lease.taking) this.leases.delete(id);
  }

  private async prune(): Promise<void> {
    this.forgetEnded();
    await this.counts.prune();
  }
}
