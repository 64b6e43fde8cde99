import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
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
    entities: ENTITIES,
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

/**
 * Connects, after applying pending migrations when asked. Safe to call from several processes: TypeORM locks the
 * migrations table. Migrations run on a connection of their own, without the query timeout (they may be long).
 */
export async function openDatabase(settings: DatabaseSettings, migrate = false): Promise<DataSource> {
  if (migrate) {
    const migrations = createDataSource({ ...settings, poolSize: 1, queryTimeoutMs: undefined });
    await migrations.initialize();
    try {
      await migrations.runMigrations({ transaction: 'each' });
    } finally {
      await migrations.destroy();
    }
  }
  const dataSource = createDataSource(settings);
  await dataSource.initialize();
  return dataSource;
}
