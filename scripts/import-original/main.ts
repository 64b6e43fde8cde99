import { openDatabase } from '../../db/data-source';
import { loadConfigOrExit } from '../../shared/load-config';
import { SecretBox } from '../../shared/secrets';
import { importOriginal, ImportStopped } from './import';
import { parseImportOptions, UsageError, USAGE } from './options';
import { ImportTemporal } from './temporal';

/**
 * `npm run import:original -- --from <original DATABASE_URL> [--dry-run] …`: brings an operator's data over from the
 * original Python service (see docs/migrating.md). Configuration as the service's own (.env / environment); the
 * original's Fernet key may be given as ORIGINAL_ENCRYPTION_KEY_MERCADO_PAGO when this service uses another one.
 * Exit status: 0 done (refused rows are listed, not fatal), 2 bad arguments or source, 3 stopped before writing, 1 failure.
 */
async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const options = parseImportOptions(argv);
  const config = loadConfigOrExit();
  const originalKey = process.env.ORIGINAL_ENCRYPTION_KEY_MERCADO_PAGO?.trim() || undefined;
  if (originalKey && !isFernetKey(originalKey)) {
    throw new UsageError('ORIGINAL_ENCRYPTION_KEY_MERCADO_PAGO must be a Fernet key (32 bytes, URL-safe base64, 44 characters)');
  }
  const dataSource = await openDatabase({ url: config.DATABASE_URL, poolSize: 4, applicationName: 'pagos-hotspot-import' });
  let temporal: ImportTemporal | undefined;
  try {
    if (await dataSource.showMigrations()) throw new ImportStopped("this service's database is not migrated: run npm run migrate first");
    if (!options.dryRun) {
      const settings = { address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE };
      temporal = await ImportTemporal.connect(settings).catch((error: unknown) => {
        throw new ImportStopped(`Temporal cannot be reached at ${settings.address} (${(error as Error).message})`);
      });
    }
    const report = await importOriginal(options, { config, dataSource, temporal, originalMercadoPagoKey: originalKey });
    console.log(report.format());
    return 0;
  } finally {
    await temporal?.close();
    await dataSource.destroy();
  }
}

function isFernetKey(key: string): boolean {
  try {
    new SecretBox('unused', key);
    return true;
  } catch {
    return false;
  }
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof ImportStopped) {
      console.error(`Import stopped before writing anything: ${error.message}`);
      process.exit(3);
    }
    console.error('Import failed:', error);
    process.exit(1);
  },
);
