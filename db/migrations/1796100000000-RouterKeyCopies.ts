import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A router key is also kept encrypted, so the portal package can carry it without the admin sending it again. Keys
 * issued before have only their hash (the column stays empty for them).
 */
export class RouterKeyCopies1796100000000 implements MigrationInterface {
  name = 'RouterKeyCopies1796100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE router_api_keys ADD COLUMN key_encrypted text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE router_api_keys DROP COLUMN key_encrypted`);
  }
}
