import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Purchase history may come from the import of the original service's sales (`source = 'import'`). */
export class ImportedPurchases1764900000000 implements MigrationInterface {
  name = 'ImportedPurchases1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE purchase_events DROP CONSTRAINT purchase_events_source_check`);
    await q.query(`
      ALTER TABLE purchase_events ADD CONSTRAINT purchase_events_source_check
        CHECK (source IN ('api', 'workflow', 'webhook', 'admin', 'reconciliation', 'import'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE purchase_events DROP CONSTRAINT purchase_events_source_check`);
    await q.query(`
      ALTER TABLE purchase_events ADD CONSTRAINT purchase_events_source_check
        CHECK (source IN ('api', 'workflow', 'webhook', 'admin', 'reconciliation'))`);
  }
}
