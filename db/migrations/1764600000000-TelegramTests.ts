import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Telegram settings an admin tries before saving them. The token is a secret: it must not travel in workflow inputs
 * (they are stored in Temporal's history), so the API stores it encrypted here for the few seconds of the test and
 * the worker takes it from the row.
 */
export class TelegramTests1764600000000 implements MigrationInterface {
  name = 'TelegramTests1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE telegram_tests (
        id uuid PRIMARY KEY,
        company_id varchar(50) NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
        bot_token_encrypted text,
        chat_id varchar(50),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE telegram_tests`);
  }
}
