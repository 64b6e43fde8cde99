import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs of the payment reconciliation (the gateways asked about every purchase they changed in a window) and what each
 * found. A run's id is its workflow id; a finding names the company and purchase it concerns, when it does, so a
 * company admin sees only its own.
 */
export class ReconciliationRuns1796097000000 implements MigrationInterface {
  name = 'ReconciliationRuns1796097000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reconciliation_runs (
        id varchar(200) PRIMARY KEY,
        trigger varchar(20) NOT NULL CHECK (trigger IN ('schedule', 'admin')),
        requested_by varchar(254),
        status varchar(20) NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
        window_from timestamptz,
        window_to timestamptz,
        gateway_calls integer NOT NULL DEFAULT 0,
        counts jsonb NOT NULL DEFAULT '{}'::jsonb,
        errors jsonb NOT NULL DEFAULT '[]'::jsonb,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX reconciliation_runs_started_idx ON reconciliation_runs (started_at DESC)`);
    await q.query(`
      CREATE TABLE reconciliation_findings (
        id bigserial PRIMARY KEY,
        run_id varchar(200) NOT NULL REFERENCES reconciliation_runs(id) ON DELETE CASCADE,
        kind varchar(40) NOT NULL,
        company_id varchar(50) REFERENCES companies(id) ON DELETE CASCADE,
        purchase_id uuid,
        gateway varchar(20),
        reference varchar(200),
        detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX reconciliation_findings_run_idx ON reconciliation_findings (run_id, company_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reconciliation_findings`);
    await q.query(`DROP TABLE reconciliation_runs`);
  }
}
