import { ensureSuperAdmin } from '../db/bootstrap';
import { applyMigrations, openDatabase } from '../db/data-source';
import { loadConfigOrExit } from '../shared/load-config';
import { createLogger } from '../shared/logger';
import { SecretBox } from '../shared/secrets';
import { buildApp } from './app';
import { TemporalWorkflows } from './temporal/client';

/**
 * The API process: configuration, database (migrations applied), the first super admin, then HTTP. Closes cleanly
 * on SIGINT / SIGTERM, letting requests in flight finish.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });
  const database = {
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    logging: config.DEBUG,
    applicationName: 'pagos-hotspot-api',
    queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_SECONDS * 1000,
  };
  for (const migration of await applyMigrations(database, logger)) logger.info({ migration }, 'migration applied');
  const dataSource = await openDatabase(database);
  const created = await ensureSuperAdmin(dataSource, {
    email: config.SUPER_ADMIN_INITIAL_EMAIL,
    password: config.SUPER_ADMIN_INITIAL_PASSWORD,
    bcryptRounds: config.BCRYPT_ROUNDS,
  });
  if (created === 'created') logger.info({ email: config.SUPER_ADMIN_INITIAL_EMAIL }, 'super admin created');

  const workflows = new TemporalWorkflows({
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
  });
  const secrets = new SecretBox(config.SECRET_KEY, config.ENCRYPTION_KEY_MERCADO_PAGO || undefined);
  const app = await buildApp({ config, dataSource, secrets, logger, workflows });

  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await app.close();
    await workflows.close();
    await dataSource.destroy();
    logger.info('api stopped');
  };
  process.once('SIGINT', () => void close());
  process.once('SIGTERM', () => void close());

  await app.listen({ host: config.HOST, port: config.PORT });
  logger.info({ url: `http://${config.HOST}:${config.PORT}`, docs: '/docs' }, 'api listening');
}

main().catch((error: unknown) => {
  createLogger({ level: 'error', name: 'api' }).error({ err: error }, 'api failed to start');
  process.exit(1);
});
