import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { In, LessThan, type DataSource } from 'typeorm';
import { TERMINAL_STATUSES } from '../../domain/purchase';
import type { AbandonedReport, RouterReconcileReport } from '../../domain/temporal';
import { PurchaseEntity, PurchaseEventEntity, RouterEntity } from '../../db/entities';
import type { WorkerMetrics } from '../../shared/metrics';
import type { SecretBox } from '../../shared/secrets';
import { routerConnection } from '../routeros/connection';
import { PURCHASE_TAG_PREFIX } from '../routeros/credentials';
import type { HotspotOperations } from '../routeros/hotspot';

export interface ReconcileActivityDeps {
  dataSource: DataSource;
  secrets: SecretBox;
  hotspot: HotspotOperations;
  metrics: Pick<WorkerMetrics, 'reconcileFound'>;
}

/** A finished purchase's own workflow removes its user; reconciliation steps in only once that had time to happen. */
const GRACE_MS = 10 * 60_000;
/** A purchase row whose workflow never started (Temporal was down) is closed after this. */
const ABANDONED_AFTER_MS = 30 * 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The safety net behind the purchase workflows, run on a schedule: users we created that outlived their purchase are
 * removed from the router, and purchase rows whose workflow never started are closed (their card token erased).
 * Users tagged with a purchase this database does not know are reported, never removed: after a database restore they
 * may belong to paying customers.
 */
export function createReconcileActivities({ dataSource, secrets, hotspot, metrics }: ReconcileActivityDeps) {
  const purchases = dataSource.getRepository(PurchaseEntity);
  const events = dataSource.getRepository(PurchaseEventEntity);

  return {
    /** Ids of the routers to check: every active router. */
    async listRoutersToReconcile(): Promise<string[]> {
      const routers = await dataSource.getRepository(RouterEntity).find({ where: { active: true }, select: { id: true }, order: { id: 'ASC' } });
      return routers.map((r) => r.id);
    },

    /** Compares one router's tagged hotspot users with their purchases and removes the ones whose access has ended. */
    async reconcileRouter(routerId: string): Promise<RouterReconcileReport> {
      const router = await routerConnection(dataSource, secrets, routerId);
      const users = await hotspot.listUsersByComment(router, PURCHASE_TAG_PREFIX);
      const idOf = (comment: string | null) => comment?.slice(PURCHASE_TAG_PREFIX.length) ?? '';
      const ids = users.map((u) => idOf(u.comment)).filter((id) => UUID.test(id));
      const known = new Map((ids.length ? await purchases.findBy({ id: In(ids) }) : []).map((p) => [p.id, p]));
      const report: RouterReconcileReport = { routerId, checked: users.length, removed: 0, unknown: 0 };
      const now = Date.now();
      for (const user of users) {
        const purchase = known.get(idOf(user.comment));
        if (!purchase) {
          report.unknown += 1;
          continue;
        }
        const ended = TERMINAL_STATUSES.includes(purchase.status) && (purchase.endedAt?.getTime() ?? 0) < now - GRACE_MS;
        if (!ended) continue;
        const { sessionsEnded: sessions, cookiesRemoved: cookies } = await hotspot.revokeUser(router, { name: user.name, comment: user.comment! });
        await events.insert({
          purchaseId: purchase.id,
          type: 'reconciled_removed',
          fromStatus: null,
          toStatus: null,
          source: 'reconciliation',
          detail: { status: purchase.status, sessions, cookies },
        });
        report.removed += 1;
        metrics.reconcileFound('user_removed', 1);
      }
      metrics.reconcileFound('unknown_user', report.unknown);
      return report;
    },

    /** Closes purchase rows left in `created` whose workflow does not exist: marked failed, card token erased. */
    async closeAbandonedPurchases(): Promise<AbandonedReport> {
      const stale = await purchases.find({
        where: { status: 'created', createdAt: LessThan(new Date(Date.now() - ABANDONED_AFTER_MS)) },
        order: { createdAt: 'ASC' },
        take: 100,
      });
      const { client } = Context.current();
      let closed = 0;
      for (const purchase of stale) {
        try {
          await client.workflow.getHandle(purchase.workflowId).describe();
          continue; // it exists: its workflow owns the row
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
        await dataSource.transaction(async (tx) => {
          const updated = await tx.update(
            PurchaseEntity,
            { id: purchase.id, status: 'created' },
            { status: 'failed', statusReason: 'NOT_STARTED', cardTokenEncrypted: null, endedAt: new Date(), updatedAt: new Date() },
          );
          if (!updated.affected) return;
          await tx.insert(PurchaseEventEntity, {
            purchaseId: purchase.id,
            type: 'status_changed',
            fromStatus: 'created',
            toStatus: 'failed',
            source: 'reconciliation',
            detail: { reason: 'NOT_STARTED' },
          });
          closed += 1;
        });
      }
      metrics.reconcileFound('abandoned_closed', closed);
      return { checked: stale.length, closed };
    },
  };
}
