import 'reflect-metadata';
import { DataSource, MigrationExecutor } from 'typeorm';
import type { Logger } from '../shared/logger';
import * as entities from './entities';
import { MIGRATIONS } from './migrations';

export interface DatabaseSettings {
  url: string;
  poolSize?: number;
  /** Log every SQL statement (DEBUG). */
  logging?: boolean;
  applicationName?: string;
  /**
   * Longest wait for one query, client side (a stalled server never answers) and server side: past it the query fails
   * as a DatabaseFailure `unavailable`. Unbounded when absent (migrations).
   */
  queryTimeoutMs?: number;
}

/** The one way to reach PostgreSQL. Schema changes go through migrations only; `synchronize` is never on. */
export function createDataSource(settings: DatabaseSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url: settings.url,
    entities: Object.values(entities),
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    // Failed queries surface as exceptions where they are handled; SQL is printed only in DEBUG.
    logging: settings.logging ? ['query', 'error'] : false,
    extra: {
      max: settings.poolSize ?? 20,
      application_name: settings.applicationName ?? 'pagos-hotspot',
      connectionTimeoutMillis: 5_000,
      ...(settings.queryTimeoutMs ? { query_timeout: settings.queryTimeoutMs, statement_timeout: settings.queryTimeoutMs } : {}),
    },
  });
}

/** The advisory lock that makes migrating a one-process affair (any 64-bit key; this one is named after its use). */
const MIGRATIONS_LOCK = `hashtext('pagos-hotspot:migrations')`;

/**
 * Applies pending migrations, one process at a time, and returns the names of those this process applied. TypeORM's
 * runner takes no lock: two replicas starting together would both run the same DDL (and a data migration twice). The
 * lock is a session-level advisory lock held by the very connection that migrates; a process that finds it taken
 * waits for it (no timeout: a long migration is not a failure), then finds nothing left to do. A process that dies
 * while migrating releases it with its session. Runs without the query timeout (migrations may be long).
 */
export async function applyMigrations(settings: DatabaseSettings, logger?: Pick<Logger, 'info'>): Promise<string[]> {
  const dataSource = createDataSource({ ...settings, poolSize: 1, queryTimeoutMs: undefined });
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(${MIGRATIONS_LOCK}) AS locked`)) as { locked: boolean }[];
    if (!locked) {
      logger?.info('another process is applying migrations: waiting for it');
      await runner.query(`SELECT pg_advisory_lock(${MIGRATIONS_LOCK})`);
    }
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    const applied = await executor.executePendingMigrations();
    return applied.map((migration) => migration.name);
  } finally {
    // Closing the only connection ends the session, which releases the lock whatever state the migration left.
    await runner.release();
    await dataSource.destroy();
  }
}

/** Connects, after applying pending migrations when asked (see applyMigrations: safe from several processes at once). */
export async function openDatabase(settings: DatabaseSettings, migrate = false): Promise<DataSource> {
  if (migrate) await applyMigrations(settings);
  const dataSource = createDataSource(settings);
  await dataSource.initialize();
  return dataSource;
}

/** Whether every migration this code knows is applied. Read-only (a readiness probe asks it): a missing table is an error. */
export async function migrationsApplied(dataSource: DataSource): Promise<boolean> {
  const rows: { name: string }[] = await dataSource.query(`SELECT name FROM schema_migrations`);
  const applied = new Set(rows.map((row) => row.name));
  return dataSource.migrations.every((migration) => applied.has(migration.name ?? migration.constructor.name));
}
