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
    },
  });
}

/** Connects and applies pending migrations. Safe to call from several processes: TypeORM locks the migrations table. */
export async function openDatabase(settings: DatabaseSettings, migrate = false): Promise<DataSource> {
  const dataSource = createDataSource(settings);
  await dataSource.initialize();
  if (migrate) await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
