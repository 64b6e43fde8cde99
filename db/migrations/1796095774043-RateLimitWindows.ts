import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters every API process shares: one row per limit and key (`bucket`), holding the count of its
 * current window, which starts at the first hit and ends at `expires_at`. UNLOGGED: counters need no crash safety
 * (after a crash PostgreSQL empties the table, which only forgives the windows in progress) and skip the write-ahead
 * log. Ended windows are deleted by the API processes now and then (`expires_at` index).
 */
export class RateLimitWindows1796095774043 implements MigrationInterface {
  name = 'RateLimitWindows1796095774043';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limit_windows (
        bucket text PRIMARY KEY,
        expires_at timestamptz NOT NULL,
        hits integer NOT NULL,
        max_hits integer NOT NULL,
        granted integer NOT NULL
      )`);
    await q.query(`CREATE INDEX rate_limit_windows_expires_idx ON rate_limit_windows (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limit_windows`);
  }
}
