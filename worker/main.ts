import type { NativeConnection, Worker } from '@temporalio/worker';
import { createActivityDeps } from '../activities/deps';
import { openDatabase } from '../db/data-source';
import { oldestOverdueExpiry } from '../db/repositories/purchases';
import { loadConfigOrExit } from '../shared/load-config';
import { createLogger } from '../shared/logger';
import { WorkerMetrics } from '../shared/metrics';
import { SecretBox } from '../shared/secrets';
import { createPurchaseWorker, prepareNamespace } from './create-worker';
import { startOpsServer } from './ops-server';
import { installTemporalRuntime } from './temporal-runtime';

/**
 * The worker process: runs purchase workflows and their activities, and serves /metrics, /health and /ready on
 * WORKER_METRICS_PORT from the start (not ready until it polls). Stops cleanly on SIGINT / SIGTERM.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  const temporalMetricsUrl = await installTemporalRuntime(logger);
  const dataSource = await openDatabase({
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    logging: config.DEBUG,
    applicationName: 'pagos-hotspot-worker',
    queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_SECONDS * 1000,
  });
  const metrics = new WorkerMetrics({ oldestOverdueExpiry: () => oldestOverdueExpiry(dataSource) });
  let running: { worker: Worker; connection: NativeConnection } | undefined;
  const ops = await startOpsServer({
    host: config.HOST,
    port: config.WORKER_METRICS_PORT,
    metrics,
    temporalMetricsUrl,
    checks: {
      database: () => dataSource.query('SELECT 1'),
      temporal: async () => {
        const health = await running?.connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
        if (health?.status !== 1 /* SERVING */) throw new Error('not serving');
      },
      worker: async () => {
        if (running?.worker.getState() !== 'RUNNING') throw new Error('not polling');
      },
    },
  });
  const secrets = new SecretBox(config.SECRET_KEY, config.ENCRYPTION_KEY_MERCADO_PAGO || undefined);
  const deps = createActivityDeps(config, dataSource, secrets, logger, metrics);
  try {
    await deps.start();
    await prepareNamespace(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE, config.TEMPORAL_TASK_QUEUE, config.PAYMENT_RECONCILE_EVERY_MINUTES);
    running = await createPurchaseWorker({
      address: config.TEMPORAL_ADDRESS,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      deps,
    });
    const { worker } = running;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
    logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS, metrics: `${ops.url}/metrics` }, 'worker running');
    await worker.run();
  } finally {
    await ops.close();
    await running?.connection.close();
    await deps.close();
    await dataSource.destroy();
    logger.info('worker stopped');
  }
}

main().catch((error: unknown) => {
  createLogger({ level: 'error', name: 'worker' }).error({ err: error }, 'worker failed');
  process.exit(1);
});
