import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Purchase attempts are told apart by what was asked, not only by their key: `request_fingerprint` lets a replay with
 * another request be refused. A charge without a gateway reference (a decline that created no order) is stored as
 * NULL, never '', and only present references are unique — two such declines no longer collide.
 */
export class PurchaseAttempts1764700000000 implements MigrationInterface {
  name = 'PurchaseAttempts1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE purchases ADD COLUMN request_fingerprint char(64)`);
    await q.query(`UPDATE purchases SET gateway_reference = NULL WHERE gateway_reference = ''`);
    await q.query(`ALTER TABLE purchases DROP CONSTRAINT purchases_gateway_reference_key`);
    await q.query(
      `CREATE UNIQUE INDEX purchases_gateway_reference_key ON purchases (gateway, gateway_reference) WHERE gateway_reference IS NOT NULL`,
    );
    await q.query(`ALTER TABLE purchases ADD CONSTRAINT purchases_gateway_reference_present CHECK (gateway_reference <> '')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE purchases DROP CONSTRAINT purchases_gateway_reference_present`);
    await q.query(`DROP INDEX purchases_gateway_reference_key`);
    await q.query(`ALTER TABLE purchases ADD CONSTRAINT purchases_gateway_reference_key UNIQUE (gateway, gateway_reference)`);
    await q.query(`ALTER TABLE purchases DROP COLUMN request_fingerprint`);
  }
}
