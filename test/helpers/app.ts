import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildOptions } from '../../api/app';
import type { AppDeps } from '../../api/context';
import { TemporalWorkflows } from '../../api/temporal/client';
import type { Workflows } from '../../api/temporal/workflows';
import type { Config } from '../../shared/config';
import { createLogger } from '../../shared/logger';
import { SecretBox } from '../../shared/secrets';
import type { TestDatabase } from './database';

export interface TestApp {
  app: FastifyInstance;
  deps: AppDeps;
  close(): Promise<void>;
}

/** The real HTTP app on a test database, talking to the test Temporal server unless `workflows` is given. */
export async function buildTestApp(
  db: TestDatabase,
  config: Config,
  options: BuildOptions & { workflows?: Workflows } = {},
): Promise<TestApp> {
  const workflows =
    options.workflows ??
    new TemporalWorkflows({
      address: config.TEMPORAL_ADDRESS,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
    });
  const deps: AppDeps = {
    config,
    dataSource: db.dataSource,
    secrets: new SecretBox(config.SECRET_KEY, config.ENCRYPTION_KEY_MERCADO_PAGO || undefined),
    logger: createLogger({ level: config.LOG_LEVEL }),
    workflows,
  };
  const app = await buildApp(deps, options);
  return {
    app,
    deps,
    async close() {
      await app.close();
      await workflows.close();
    },
  };
}
