import { applyMigrations } from '../../db/data-source';
import { MIGRATIONS } from '../../db/migrations';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const TABLES = [
  'admin_sessions',
  'admin_users',
  'audit_log',
  'companies',
  'company_logos',
  'operator_notices',
  'processed_webhook_events',
  'products',
  'purchase_events',
  'purchases',
  'rate_limit_windows',
  'reconciliation_findings',
  'reconciliation_runs',
  'router_api_keys',
  'routers',
  'telegram_tests',
  'voucher_batches',
  'vouchers',
];

async function tables(db: TestDatabase): Promise<string[]> {
  const rows: { table_name: string }[] = await db.dataSource.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1`,
  );
  return rows.map((r) => r.table_name);
}

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(() => db.drop());

  it('create every table on an empty database, then remove them all on the way down', async () => {
    expect(await tables(db)).toEqual([]);
    await db.dataSource.runMigrations({ transaction: 'each' });
    expect(await tables(db)).toEqual(TABLES);

    while ((await db.dataSource.query(`SELECT count(*)::int AS n FROM schema_migrations`))[0].n > 0) {
      await db.dataSource.undoLastMigration({ transaction: 'each' });
    }
    expect(await tables(db)).toEqual([]);
    const functions = await db.dataSource.query(`SELECT proname FROM pg_proc WHERE proname = 'refuse_history_rewrite'`);
    expect(functions).toEqual([]);

    await db.dataSource.runMigrations({ transaction: 'each' });
    expect(await tables(db)).toEqual(TABLES);
  });

  it('stores every time as timestamptz and no money as a float', async () => {
    const columns: { table_name: string; column_name: string; data_type: string }[] = await db.dataSource.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const timestamps = columns.filter((c) => c.data_type.startsWith('timestamp'));
    expect(timestamps.length).toBeGreaterThan(10);
    expect(timestamps.filter((c) => c.data_type !== 'timestamp with time zone')).toEqual([]);
    expect(columns.filter((c) => ['real', 'double precision', 'numeric', 'money'].includes(c.data_type))).toEqual([]);
  });
});

describe('migrating from several connections at once', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(() => db.drop());

  it('applies each migration once: one connection migrates, the others wait and find nothing to do', async () => {
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => applyMigrations({ url: db.url })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    expect(applied.sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
    const rows: { name: string }[] = await db.dataSource.query(`SELECT name FROM schema_migrations ORDER BY id`);
    expect(rows.map((r) => r.name).sort()).toEqual(applied);
    expect(await tables(db)).toEqual(TABLES);
  });
});
