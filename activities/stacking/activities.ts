import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { type DataSource } from 'typeorm';
import { stackTimeUpdate, stackUpdateId, STACKED_REASON, type StackTarget } from '../../domain/temporal';
import { PurchaseEntity, PurchaseEventEntity } from '../../db/entities';
import { stackTargetOf } from '../../db/repositories/purchase-path';
import { uptimeLimitWithExtensions, type EXTENSION_EVENTS } from '../../db/repositories/purchases';
import type { SecretBox } from '../../shared/secrets';
import { routerConnection } from '../routeros/connection';
import type { HotspotOperations } from '../routeros/hotspot';
import type { RouterCache } from '../routeros/router-cache';

export interface StackingActivityDeps {
  dataSource: DataSource;
  secrets: SecretBox;
  hotspot: HotspotOperations;
  routers: Pick<RouterCache, 'get'>;
}

export type StackResult = { stacked: true; expiresAt: string } | { stacked: false; reason: 'ENDED' | 'REFUSED'; message?: string };

/**
 * Buying more time while connected: a paid purchase for a device that already has a running purchase of the same plan
 * on the same router adds its time to that purchase (through the running workflow's `stackTime` update) instead of
 * creating a second hotspot user; and the router user's limits follow every change of a purchase's time.
 */
export function createStackingActivities({ dataSource, secrets, hotspot, routers }: StackingActivityDeps) {
  const purchases = dataSource.getRepository(PurchaseEntity);
  const events = dataSource.getRepository(PurchaseEventEntity);

  /** The update carrying `from`'s time to `target`; undefined when `target`'s workflow has ended. */
  async function sendTime(from: PurchaseEntity, target: StackTarget, takeBack: boolean) {
    const sign = takeBack ? -1 : 1;
    const handle = Context.current().client.workflow.getHandle(target.workflowId);
    try {
      return await handle.executeUpdate(stackTimeUpdate, {
        args: [
          {
            from: from.id,
            fromWorkflowId: from.workflowId,
            seconds: sign * from.validitySeconds,
            uptimeSeconds: from.uptimeLimitSeconds ? sign * from.uptimeLimitSeconds : undefined,
          },
        ],
        updateId: stackUpdateId(from.id, takeBack),
      });
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  /** Whether `target`'s history already has `from`'s time of this kind: the update was applied (its workflow may have ended since). */
  const recorded = (target: string, from: string, type: (typeof EXTENSION_EVENTS)[number]) =>
    events
      .createQueryBuilder('e')
      .where(`e.purchaseId = :target AND e.type = :type AND e.detail ->> 'from_purchase' = :from`, { target, type, from })
      .getExists();

  return {
    /**
     * The device's running purchase this one's time can be added to: same router, same MAC, same plan, active and not
     * expired, holding its own user (not itself stacked). The latest to expire when there are several; null when none.
     */
    findStackTarget(purchaseId: string): Promise<StackTarget | null> {
      return stackTargetOf(dataSource, purchaseId, STACKED_REASON);
    },

    /**
     * Adds this purchase's time to `target`, once: the update's id is this purchase's, so a retry while the target runs
     * gets the first answer, and a retry after it ended finds the time in its history. Not stacked when the target has
     * ended or refuses (no longer active, another action under way): the purchase then gets a user of its own.
     */
    async stackOntoPurchase(purchaseId: string, target: StackTarget): Promise<StackResult> {
      const purchase = await purchases.findOneByOrFail({ id: purchaseId });
      const done = async (): Promise<StackResult> => {
        const running = await purchases.findOneByOrFail({ id: target.purchaseId });
        return { stacked: true, expiresAt: running.expiresAt!.toISOString() };
      };
      if (await recorded(target.purchaseId, purchaseId, 'time_stacked')) return done();
      try {
        const extended = await sendTime(purchase, target, false);
        if (extended) return { stacked: true, expiresAt: extended.expiresAt };
      } catch (error) {
        if (!(error instanceof WorkflowUpdateFailedError)) throw error;
        if (await recorded(target.purchaseId, purchaseId, 'time_stacked')) return done();
        return { stacked: false, reason: 'REFUSED', message: error.cause?.message };
      }
      return (await recorded(target.purchaseId, purchaseId, 'time_stacked')) ? done() : { stacked: false, reason: 'ENDED' };
    },

    /**
     * Takes this stacked purchase's time back from `target` (its payment was reversed, or an admin ended it), once.
     * False when the target has ended: there is nothing left to take. Refused meanwhile (another action under way):
     * retried.
     */
    async takeBackStackedTime(purchaseId: string, target: StackTarget): Promise<boolean> {
      const purchase = await purchases.findOneByOrFail({ id: purchaseId });
      if (await recorded(target.purchaseId, purchaseId, 'time_taken_back')) return true;
      try {
        return (await sendTime(purchase, target, true)) !== undefined;
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError && !(await isActive(target.purchaseId))) return false;
        throw error;
      }
    },

    /**
     * Sets the router user's `limit-uptime` to the plan's plus every extension in the purchase's history (an admin's
     * adds its seconds; stacked time its own online time), so a retry sets the same value. Nothing to do when the plan
     * has no such limit, or the purchase has no user of its own.
     */
    async applyExtendedLimits(purchaseId: string): Promise<{ limitUptimeSeconds: number | null }> {
      const purchase = await purchases.findOneByOrFail({ id: purchaseId });
      if (!purchase.hotspotUsername || purchase.statusReason === STACKED_REASON) return { limitUptimeSeconds: null };
      const limitUptimeSeconds = await uptimeLimitWithExtensions(dataSource.manager, purchase);
      if (limitUptimeSeconds === null) return { limitUptimeSeconds: null };
      const router = await routerConnection(routers, secrets, purchase.routerId);
      const { ref } = await hotspot.setUserEnabled(router, { ref: purchase.routerUserRef, name: purchase.hotspotUsername }, true, { limitUptimeSeconds });
      if (ref !== purchase.routerUserRef) await purchases.update({ id: purchaseId }, { routerUserRef: ref });
      return { limitUptimeSeconds };
    },
  };

  async function isActive(purchaseId: string): Promise<boolean> {
    return (await purchases.countBy({ id: purchaseId, status: 'active' })) > 0;
  }
}

