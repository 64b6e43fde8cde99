import type { DataSource } from 'typeorm';

/**
 * Where the rate-limit windows are counted. A window starts at a bucket's first hit and lasts `windowMs`; a hit after
 * it ends starts the next one.
 */
export interface WindowCounts {
  /** Adds up to `want` to the bucket's window without passing `limit`: how many were added, the count, the time left. */
  take(request: TakeRequest): Promise<Taken>;
  /** Counts and time left of the buckets' windows in progress (a bucket without one is absent). */
  peek(buckets: string[]): Promise<Map<string, { hits: number; msLeft: number }>>;
  /** Forgets a bucket's window. */
  reset(bucket: string): Promise<void>;
  /** Drops the windows that have ended. */
  prune(): Promise<void>;
}

export interface TakeRequest {
  bucket: string;
  limit: number;
  windowMs: number;
  want: number;
}

export interface Taken {
  granted: number;
  hits: number;
  msLeft: number;
}

/** Windows in this process's memory: every API process counts on its own (one API process only). */
export class MemoryWindowCounts implements WindowCounts {
  private readonly windows = new Map<string, { end: number; hits: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async take({ bucket, limit, windowMs, want }: TakeRequest): Promise<Taken> {
    const now = this.now();
    let window = this.windows.get(bucket);
    if (!window || window.end <= now) {
      if (this.windows.size >= 100_000) await this.prune();
      this.windows.set(bucket, (window = { end: now + windowMs, hits: 0 }));
    }
    const granted = Math.min(want, Math.max(0, limit - window.hits));
    window.hits += granted;
    return { granted, hits: window.hits, msLeft: window.end - now };
  }

  async peek(buckets: string[]): Promise<Map<string, { hits: number; msLeft: number }>> {
    const now = this.now();
    const found = new Map<string, { hits: number; msLeft: number }>();
    for (const bucket of buckets) {
      const window = this.windows.get(bucket);
      if (window && window.end > now) found.set(bucket, { hits: window.hits, msLeft: window.end - now });
    }
    return found;
  }

  async reset(bucket: string): Promise<void> {
    this.windows.delete(bucket);
  }

  async prune(): Promise<void> {
    const now = this.now();
    for (const [bucket, window] of this.windows) if (window.end <= now) this.windows.delete(bucket);
  }
}

/**
 * Windows in PostgreSQL (`rate_limit_windows`), seen by every API process. Takes arriving in the same turn of the
 * event loop go in one statement; each is an atomic upsert that never passes the limit, timed by the database's clock
 * so that the processes' clocks do not matter.
 */
export class PostgresWindowCounts implements WindowCounts {
  private queue: { request: TakeRequest; resolve: (taken: Taken) => void; reject: (error: unknown) => void }[] = [];

  constructor(private readonly dataSource: DataSource) {}

  take(request: TakeRequest): Promise<Taken> {
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => void this.flush());
      this.queue.push({ request, resolve, reject });
    });
  }

  async peek(buckets: string[]): Promise<Map<string, { hits: number; msLeft: number }>> {
    const rows: { bucket: string; hits: number; ms_left: string }[] = await this.dataSource.query(
      `SELECT bucket, hits, ceil(extract(epoch FROM expires_at - now()) * 1000) AS ms_left
         FROM rate_limit_windows WHERE bucket = ANY($1) AND expires_at > now()`,
      [buckets],
    );
    return new Map(rows.map((row) => [row.bucket, { hits: row.hits, msLeft: Number(row.ms_left) }]));
  }

  async reset(bucket: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM rate_limit_windows WHERE bucket = $1`, [bucket]);
  }

  async prune(): Promise<void> {
    await this.dataSource.query(`DELETE FROM rate_limit_windows WHERE expires_at <= now()`);
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    // One row per bucket (a statement may not update a row twice): the wants of one bucket are added up, and what
    // the database grants is handed out in the order they came.
    const byBucket = new Map<string, { request: TakeRequest; want: number; waiters: typeof batch }>();
    for (const entry of batch) {
      const row = byBucket.get(entry.request.bucket);
      if (row) {
        row.want += entry.request.want;
        row.waiters.push(entry);
      } else {
        byBucket.set(entry.request.bucket, { request: entry.request, want: entry.request.want, waiters: [entry] });
      }
    }
    const rows = [...byBucket.values()];
    try {
      const answers: { bucket: string; granted: number; hits: number; ms_left: string }[] = await this.dataSource.query(
        // `granted` first holds what is asked (capped by the limit), then what was given. A window that has ended
        // starts again from nothing.
        `INSERT INTO rate_limit_windows AS w (bucket, expires_at, hits, max_hits, granted)
         SELECT b, now() + ms * interval '1 millisecond', LEAST(n, l), l, LEAST(n, l)
           FROM unnest($1::text[], $2::int[], $3::int[], $4::int[]) AS t(b, ms, l, n)
         ON CONFLICT (bucket) DO UPDATE SET
           expires_at = CASE WHEN w.expires_at <= now() THEN EXCLUDED.expires_at ELSE w.expires_at END,
           hits = CASE WHEN w.expires_at <= now() THEN 0 ELSE w.hits END
                  + LEAST(EXCLUDED.granted, GREATEST(EXCLUDED.max_hits - CASE WHEN w.expires_at <= now() THEN 0 ELSE w.hits END, 0)),
           granted = LEAST(EXCLUDED.granted, GREATEST(EXCLUDED.max_hits - CASE WHEN w.expires_at <= now() THEN 0 ELSE w.hits END, 0)),
           max_hits = EXCLUDED.max_hits
         RETURNING bucket, granted, hits, ceil(extract(epoch FROM expires_at - now()) * 1000) AS ms_left`,
        [rows.map((r) => r.request.bucket), rows.map((r) => r.request.windowMs), rows.map((r) => r.request.limit), rows.map((r) => r.want)],
      );
      const byName = new Map(answers.map((answer) => [answer.bucket, answer]));
      for (const row of rows) {
        const answer = byName.get(row.request.bucket)!;
        let left = answer.granted;
        for (const waiter of row.waiters) {
          const granted = Math.min(waiter.request.want, left);
          left -= granted;
          waiter.resolve({ granted, hits: answer.hits, msLeft: Number(answer.ms_left) });
        }
      }
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
