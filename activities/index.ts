import type { ActivityDeps } from './deps';
import { classified } from './failures';
import { heartbeating } from './heartbeat';
import { createNotifyActivities } from './notify/activities';
import { createPaymentActivities } from './payments/activities';
import { createReconcileActivities } from './reconcile/activities';
import { createPaymentReconcileActivities } from './reconcile/payments';
import { createRouterActivities } from './routeros/activities';
import { createStackingActivities } from './stacking/activities';
import { createStoreActivities } from './store/activities';

/**
 * Every activity the worker registers, built from its dependencies. Each one classifies its failures (ErrorCode type,
 * retryable or final) before Temporal sees them. Workflows import only the type.
 */
export function createActivities(deps: ActivityDeps) {
  const store = createStoreActivities(deps.dataSource, deps.metrics); // local activities: no heartbeats there
  const remote = {
    ...createRouterActivities(deps),
    ...createStackingActivities(deps),
    ...createPaymentActivities(deps),
    ...createNotifyActivities(deps),
    ...createReconcileActivities(deps),
    ...createPaymentReconcileActivities(deps),
  };
  const wrap = <T extends object>(activities: T, heartbeat: boolean): T =>
    Object.fromEntries(
      Object.entries(activities).map(([name, fn]) => {
        const call = fn as (...args: unknown[]) => Promise<unknown>;
        return [name, classified(heartbeat ? heartbeating(call) : call, deps.logger)];
      }),
    ) as T;
  return { ...wrap(store, false), ...wrap(remote, true) };
}

export type Activities = ReturnType<typeof createActivities>;
