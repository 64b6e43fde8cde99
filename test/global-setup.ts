import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPostgres, ensureDatabase } from '../scripts/lib/postgres';
import { startTemporalDevServer } from '../scripts/lib/temporal';
import { freePort } from '../shared/ports';
import { migrateTemplateDatabase } from './helpers/template-db';

/**
 * Starts the real services every integration test shares: a private PostgreSQL cluster (with a migrated template
 * database that each test file clones) and a Temporal dev server, both on free loopback ports. Never a developer's stack.
 */
export default async function globalSetup(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'pagos-hotspot-test-'));
  chmodSync(root, 0o755); // the cluster runs as the `postgres` OS user when tests run as root
  const [pgPort, temporalPort] = [await freePort(), await freePort()];

  // pg_stat_statements: tests that count the statements a step runs read it (each in its own database).
  const postgres = await startPostgres({ dataDir: path.join(root, 'pgdata'), port: pgPort, password: 'test', preload: ['pg_stat_statements'] });
  const templateUrl = await ensureDatabase(postgres.url, 'pagos_template');
  await migrateTemplateDatabase(templateUrl);

  const temporal = await startTemporalDevServer({ port: temporalPort });

  process.env.TEST_PG_ADMIN_URL = postgres.url;
  process.env.TEST_PG_TEMPLATE = 'pagos_template';
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  writeFileSync(path.join(root, 'services.json'), JSON.stringify({ postgres: postgres.url, temporal: temporal.address }));

  (globalThis as Record<string, unknown>).__SERVICES__ = { postgres, temporal, root };
}
