import { createActivityDeps } from '../activities/deps';
import { openDatabase } from '../db/data-source';
import { loadConfigOrExit } from '../shared/load-config';
import { createLogger } from '../shared/logger';
import { SecretBox } from '../shared/secrets';
import { createPurchaseWorker, prepareNamespace } from './create-worker';
import { installTemporalLogger } from './temporal-logger';

/** The worker process: runs purchase workflows and their activities. Stops cleanly on SIGINT / SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  installTemporalLogger(logger);
  const dataSource = await openDatabase({
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    logging: config.DEBUG,
    applicationName: 'pagos-hotspot-worker',
    queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_SECONDS * 1000,
  });
  const secrets = new SecretBox(config.SECRET_KEY, config.ENCRYPTION_KEY_MERCADO_PAGO || undefined);
  const deps = createActivityDeps(config, dataSource, secrets, logger);
  await prepareNamespace(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE, config.TEMPORAL_TASK_QUEUE);
  const { worker, connection } = await createPurchaseWorker({
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deps,
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'worker running');
  try {
    await worker.run();
  } finally {
    await connection.close();
    await deps.close();
    await dataSource.destroy();
    logger.info('worker stopped');
  }
}

main().catch((error: unknown) => {
  createLogger({ level: 'error', name: 'worker' }).error({ err: error }, 'worker failed');
  process.exit(1);
});
