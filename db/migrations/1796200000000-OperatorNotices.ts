import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operator notices waiting to be sent (Telegram): written with the change they tell about (or by the notify
 * activity), sent and deleted by the worker's notice sender. `due_at` is when the next try may start; a sender
 * that claims a notice moves it forward by its lease, so a sender that dies leaves it to another once the lease ends.
 */
export class OperatorNotices1796200000000 implements MigrationInterface {
  name = 'OperatorNotices1796200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE operator_notices (
        id bigserial PRIMARY KEY,
        purchase_id uuid NOT NULL REFERENCES purchases(id) ON DELETE CASCADE,
        notice varchar(40) NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        due_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX operator_notices_due_idx ON operator_notices (due_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE operator_notices`);
  }
}
