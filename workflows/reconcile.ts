import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ReconcileReport, RouterReconcileReport } from '../domain/temporal';
import { failureType } from './failures';
import { RECONCILE } from './options';

const reconcile = proxyActivities<Activities>(RECONCILE);

/**
 * The scheduled safety net (every 15 minutes): on each active router, hotspot users whose purchase has ended are
 * removed, and the users of active purchases deleted or disabled by hand are put back; purchase rows whose workflow
 * never started are closed. A router that cannot be reached is skipped until
 * the next run.
 */
export async function reconcileWorkflow(): Promise<ReconcileReport> {
  const routers: RouterReconcileReport[] = [];
  for (const routerId of await reconcile.listRoutersToReconcile()) {
    try {
      routers.push(await reconcile.reconcileRouter(routerId));
    } catch (error) {
      const code = failureType(error) ?? 'UNKNOWN';
      log.warn('router not reconciled this time', { routerId, code });
      routers.push({ routerId, checked: 0, removed: 0, unknown: 0, restored: 0, notRestored: 0, error: code });
    }
  }
  const abandoned = await reconcile.closeAbandonedPurchases();
  return { routers, abandoned };
}
