import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../db/data-source';

export interface TestDatabase {
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error('TEST_PG_ADMIN_URL is not set: run the tests through Jest (test/global-setup.ts)');
  return url;
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database for one test file: a clone of the template that global setup migrated. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const template = options.empty ? 'template0' : process.env.TEST_PG_TEMPLATE!;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const dataSource = await openDatabase({ url: url.toString(), poolSize: 10 });
  return {
    url: url.toString(),
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * Times statements whose text matches `like` (SQL LIKE) have run in this test database so far, and the shared buffer
 * blocks they touched, as pg_stat_statements counts them (the test cluster preloads it; the extension is created here
 * if needed).
 */
export async function statementStats(dataSource: DataSource, like: string): Promise<{ calls: number; blocks: number }> {
  await dataSource.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const [{ calls, blocks }] = await dataSource.query<{ calls: string; blocks: string }[]>(
    `SELECT coalesce(sum(calls), 0) AS calls, coalesce(sum(shared_blks_hit + shared_blks_read), 0) AS blocks FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query LIKE $1`,
    [like],
  );
  return { calls: Number(calls), blocks: Number(blocks) };
}

/** Times statements whose text matches `like` have run in this test database so far (see statementStats). */
export async function statementCalls(dataSource: DataSource, like: string): Promise<number> {
  return (await statementStats(dataSource, like)).calls;
}
