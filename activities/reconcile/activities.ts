import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { In, IsNull, LessThan, MoreThan, Not, Or, type DataSource } from 'typeorm';
import { isDomainError } from '../../domain/errors';
import { TERMINAL_STATUSES } from '../../domain/purchase';
import { STACKED_REASON, type AbandonedReport, type RouterReconcileReport } from '../../domain/temporal';
import { PurchaseEntity, PurchaseEventEntity, RouterEntity } from '../../db/entities';
import { uptimeLimitWithExtensions } from '../../db/repositories/purchases';
import type { WorkerMetrics } from '../../shared/metrics';
import type { SecretBox } from '../../shared/secrets';
import { routerConnection } from '../routeros/connection';
import { PURCHASE_TAG_PREFIX } from '../routeros/purchase-tag';
import type { HotspotOperations } from '../routeros/hotspot';
import type { RouterCache } from '../routeros/router-cache';

export interface ReconcileActivityDeps {
  dataSource: DataSource;
  secrets: SecretBox;
  hotspot: HotspotOperations;
  routers: Pick<RouterCache, 'get'>;
  metrics: Pick<WorkerMetrics, 'reconcileFound'>;
}

/** A finished purchase's own workflow removes its user; reconciliation steps in only once that had time to happen. */
const GRACE_MS = 10 * 60_000;
/** A purchase row whose workflow never started (Temporal was down) is closed after this. */
const ABANDONED_AFTER_MS = 30 * 60_000;
/** An active purchase's user is put back only once its activation is this old: enabling it may still be under way. */
const RESTORE_AFTER_MS = 2 * 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The safety net behind the purchase workflows, run on a schedule: users we created that outlived their purchase are
 * removed from the router, users of active purchases deleted or disabled by hand are put back, and purchase rows whose
 * workflow never started are closed (their card token erased).
 * Users tagged with a purchase this database does not know are reported, never removed: after a database restore they
 * may belong to paying customers.
 */
export function createReconcileActivities({ dataSource, secrets, hotspot, routers, metrics }: ReconcileActivityDeps) {
  const purchases = dataSource.getRepository(PurchaseEntity);
  const events = dataSource.getRepository(PurchaseEventEntity);

  const event = (purchaseId: string, type: string, detail: Record<string, string | number | boolean | undefined>) =>
    events.insert({ purchaseId, type, fromStatus: null, toStatus: null, source: 'reconciliation', detail });

  /**
   * Puts back the user of an active purchase (re-created with its credentials, or enabled), its `limit-uptime` the time
   * left until the expiry, or the plan's limit with the purchase's extensions and stacked time when smaller. If the
   * purchase ended meanwhile (a revocation removed the user a moment before), the user is removed again. A router that
   * refuses (the name taken by someone else) is reported in the purchase's history.
   */
  async function restore(router: Awaited<ReturnType<typeof routerConnection>>, purchase: PurchaseEntity, disabledRef?: string): Promise<boolean> {
    const name = purchase.hotspotUsername!;
    const tag = `${PURCHASE_TAG_PREFIX}${purchase.id}`;
    const left = Math.max(Math.floor((purchase.expiresAt!.getTime() - Date.now()) / 1000), 1);
    const owed = await uptimeLimitWithExtensions(dataSource.manager, purchase);
    const limitUptimeSeconds = owed ? Math.min(owed, left) : left;
    try {
      const { ref } = disabledRef
        ? await hotspot.setUserEnabled(router, { ref: disabledRef, name }, true, { limitUptimeSeconds })
        : await hotspot.createUser(router, {
            name,
            password: secrets.decryptOptional(purchase.hotspotPasswordEncrypted) || undefined,
            profile: purchase.profileName,
            comment: tag,
            disabled: false,
            limitUptimeSeconds,
          });
      const still = await purchases.findOneBy({ id: purchase.id, status: 'active' });
      if (!still) {
        await hotspot.removeUser(router, { name, comment: tag });
        return false;
      }
      await purchases.update({ id: purchase.id }, { routerUserRef: ref, updatedAt: new Date() });
      await event(purchase.id, 'reconciled_restored', { was: disabledRef ? 'disabled' : 'missing', limit_uptime_seconds: limitUptimeSeconds, status: 'active' });
      return true;
    } catch (error) {
      if (!isDomainError(error) || error.code !== 'HOTSPOT_USER_CONFLICT') throw error;
      await event(purchase.id, 'reconciled_not_restored', { code: error.code, status: 'active' });
      return false;
    }
  }

  return {
    /** Ids of the routers to check: every active router. */
    async listRoutersToReconcile(): Promise<string[]> {
      const routers = await dataSource.getRepository(RouterEntity).find({ where: { active: true }, select: { id: true }, order: { id: 'ASC' } });
      return routers.map((r) => r.id);
    },

    /** Compares one router's tagged hotspot users with its purchases: ended ones removed, active ones missing put back. */
    async reconcileRouter(routerId: string): Promise<RouterReconcileReport> {
      const router = await routerConnection(routers, secrets, routerId);
      const users = await hotspot.listUsersByComment(router, PURCHASE_TAG_PREFIX);
      const idOf = (comment: string | null) => comment?.slice(PURCHASE_TAG_PREFIX.length) ?? '';
      const ids = users.map((u) => idOf(u.comment)).filter((id) => UUID.test(id));
      const known = new Map((ids.length ? await purchases.findBy({ id: In(ids) }) : []).map((p) => [p.id, p]));
      const report: RouterReconcileReport = { routerId, checked: users.length, removed: 0, unknown: 0, restored: 0, notRestored: 0 };
      const now = Date.now();
      const byName = new Map(users.map((u) => [u.name, u]));
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

      // The other direction: an active purchase whose user someone deleted or disabled on the router gets it back
      // (a stacked purchase has no user of its own: its time is in the purchase it was added to).
      const active = await purchases.find({
        where: {
          routerId,
          status: 'active',
          statusReason: Or(IsNull(), Not(STACKED_REASON)),
          expiresAt: MoreThan(new Date(now + 60_000)),
          activatedAt: LessThan(new Date(now - RESTORE_AFTER_MS)),
        },
      });
      for (const purchase of active) {
        const user = byName.get(purchase.hotspotUsername ?? '');
        if (!purchase.hotspotUsername || (user && !user.disabled && user.comment === `${PURCHASE_TAG_PREFIX}${purchase.id}`)) continue;
        const restored = await restore(router, purchase, user?.disabled ? user.ref : undefined);
        report[restored ? 'restored' : 'notRestored'] += 1;
        metrics.reconcileFound(restored ? 'user_restored' : 'user_not_restored', 1);
      }
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
