import path from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { normalizeDatabaseUrl } from '../shared/config';
import { createLogger } from '../shared/logger';
import { createDataSource } from './data-source';
import { importLogoFiles } from './repositories/logos';

/**
 * `npm run import:logos -- <folder>`: stores in the database the logo files of a folder (a copy of the previous
 * service's `static/logos/`) that companies point at and that are not stored yet. Run after `npm run import:original`;
 * needs only DATABASE_URL. Running it again stores only what is still missing.
 */
async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const logger = createLogger({ level: process.env.LOG_LEVEL || 'info', name: 'import-logos' });
  const dir = process.argv[2];
  const url = normalizeDatabaseUrl(process.env.DATABASE_URL?.trim() ?? '');
  if (!dir || !url) {
    process.stderr.write('Usage: npm run import:logos -- <folder with the logo files>   (DATABASE_URL in the environment or .env)\n');
    process.exit(64);
  }
  const dataSource = createDataSource({ url, poolSize: 1, applicationName: 'pagos-hotspot-import-logos' });
  await dataSource.initialize();
  try {
    const { stored, missing } = await importLogoFiles((sql, parameters) => dataSource.query(sql, parameters), path.resolve(dir));
    logger.info({ stored: stored.length }, 'logos stored');
    for (const logo of missing) logger.warn({ logo }, 'no image file for this logo in the folder: the company must upload it again');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  createLogger({ level: 'error', name: 'import-logos' }).error({ err: error }, 'logo import failed');
  process.exit(1);
});
