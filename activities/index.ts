import type { ActivityDeps } from './deps';
import { classified } from './failures';
import { createNotifyActivities } from './notify/activities';
import { createPaymentActivities } from './payments/activities';
import { createRouterActivities } from './routeros/activities';
import { createStoreActivities } from './store/activities';

/**
 * Every activity the worker registers, built from its dependencies. Each one classifies its failures (ErrorCode type,
 * retryable or final) before Temporal sees them. Workflows import only the type.
 */
export function createActivities(deps: ActivityDeps) {
  const all = {
    ...createStoreActivities(deps.dataSource),
    ...createRouterActivities(deps),
    ...createPaymentActivities({ ...deps, gateways: deps.gateways }),
    ...createNotifyActivities(deps),
  };
  return Object.fromEntries(Object.entries(all).map(([name, fn]) => [name, classified(fn as (...args: unknown[]) => Promise<unknown>)])) as typeof all;
}

export type Activities = ReturnType<typeof createActivities>;
