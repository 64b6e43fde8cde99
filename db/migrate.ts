import { config as loadDotenv } from 'dotenv';
import { normalizeDatabaseUrl } from '../shared/config';
import { createLogger } from '../shared/logger';
import { applyMigrations } from './data-source';

/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL and exits (a deploy step, before the API and the
 * worker start). Needs only DATABASE_URL, so it can run where the application's secrets are not available. Safe beside
 * API processes that migrate as they start: one migrates, the others wait.
 */
async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const logger = createLogger({ level: process.env.LOG_LEVEL || 'info', name: 'migrate' });
  const raw = process.env.DATABASE_URL?.trim();
  const url = raw ? normalizeDatabaseUrl(raw) : undefined;
  if (!url) {
    process.stderr.write(
      `Invalid configuration:\n  - DATABASE_URL ${raw ? 'must be a PostgreSQL URL (postgresql://, postgres:// or postgresql+asyncpg://)' : 'is required'}\n`,
    );
    process.exit(78);
  }
  const applied = await applyMigrations({ url, applicationName: 'pagos-hotspot-migrate' }, logger);
  if (applied.length === 0) logger.info('schema up to date');
  for (const migration of applied) logger.info({ migration }, 'migration applied');
}

main().catch((error: unknown) => {
  createLogger({ level: 'error', name: 'migrate' }).error({ err: error }, 'migration failed');
  process.exit(1);
});
