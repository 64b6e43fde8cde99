import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { MESSAGES } from '../domain/messages';
import { STACKED_REASON, stackedAccessEndedSignal } from '../domain/temporal';
import { failureLog, failureType } from './failures';
import { now, type PurchaseRun } from './purchase-run';

/**
 * Buying more time while connected (see docs/purchase.md): a paid purchase for a device whose running purchase (same
 * router, same plan) is active adds its time to that purchase instead of getting a user of its own. Both purchases
 * record it; either's early end is handled by the other.
 */

/**
 * After the payment: adds this purchase's time to the device's running purchase, if there is one that takes it. The
 * purchase is then active until the new expiry, with no user of its own (the reserved one is removed). False when
 * there is none, or it ended or refused meanwhile: the purchase goes on to enable its own user.
 */
export async function stack(run: PurchaseRun): Promise<boolean> {
  if (run.stackable === false) return false;
  const target = await run.lookup.findStackTarget(run.purchaseId).catch((error: unknown) => {
    log.warn('could not look for a running purchase to stack onto; enabling a user of its own', { purchaseId: run.purchaseId, ...failureLog(error) });
    return null;
  });
  if (!target) return false;
  const result = await run.stacking.stackOntoPurchase(run.purchaseId, target).catch((error: unknown) => {
    log.error('stacking got no answer; enabling a user of its own', { purchaseId: run.purchaseId, ...failureLog(error) });
    return { stacked: false as const, reason: failureType(error) ?? 'NO_ANSWER' };
  });
  if (!result.stacked) {
    await run.recordEvent({ type: 'stack_not_applied', detail: { onto_purchase: target.purchaseId, reason: result.reason } });
    return false;
  }
  run.stackedOnto = target;
  run.expiresAt = Date.parse(result.expiresAt);
  await run.record(
    'active',
    { reason: STACKED_REASON, message: MESSAGES.timeStacked, fields: { activatedAt: now(), expiresAt: result.expiresAt }, detail: { onto_purchase: target.purchaseId } },
    'approved',
  );
  run.answer({ status: 'active', stacked: true });
  await run.cleanup.removeHotspotUser(run.purchaseId);
  return true;
}

/**
 * Ends this purchase's access for an admin's action or a reversal: its own user, sessions and cookies; for a stacked
 * purchase, the time it added to the running purchase (nothing left to take once that one ended).
 */
export async function removeAccess(run: PurchaseRun): Promise<void> {
  if (!run.stackedOnto) {
    await run.cleanup.revokeHotspotAccess(run.purchaseId);
    return;
  }
  const takenBack = await run.cleanup.takeBackStackedTime(run.purchaseId, run.stackedOnto);
  if (!takenBack) await run.recordEvent({ type: 'stacked_time_gone', detail: { onto_purchase: run.stackedOnto.purchaseId } });
}

/**
 * This access ended early (revoked, refunded, charged back): purchases whose time was stacked onto it are told, so
 * they give their money back instead of silently losing that time.
 */
export async function tellStacked(run: PurchaseRun): Promise<void> {
  for (const [purchaseId, workflowId] of run.stacks) {
    await getExternalWorkflowHandle(workflowId)
      .signal(stackedAccessEndedSignal, { purchaseId: run.purchaseId, status: run.status })
      .catch((error: unknown) => log.warn('a stacked purchase could not be told', { purchaseId: run.purchaseId, stacked: purchaseId, ...failureLog(error) }));
  }
  if (run.stacks.size > 0) await run.recordEvent({ type: 'stacked_purchases_told', detail: { purchases: [...run.stacks.keys()] } });
}

/** The running purchase this one was stacked onto ended early: its time is gone, so the money goes back. */
export async function refundStackedTime(run: PurchaseRun): Promise<void> {
  const refund = await run.refundOrRecord('STACKED_ACCESS_ENDED');
  await run.record(
    'refunded',
    {
      reason: 'STACKED_ACCESS_ENDED',
      message: MESSAGES.stackedAccessEnded,
      fields: { endedAt: now(), refundedCents: refund?.refundedCents, gatewayStatus: refund?.gatewayStatus },
      detail: { onto_purchase: run.stackedOnto!.purchaseId },
    },
    'refunded',
  );
}

/** After a change of this purchase's time: the router user's `limit-uptime` follows (bounded; a failure is recorded). */
export async function applyLimits(run: PurchaseRun): Promise<void> {
  try {
    await run.stacking.applyExtendedLimits(run.purchaseId);
  } catch (error) {
    log.error('router limits not changed after a change of time', { purchaseId: run.purchaseId, ...failureLog(error) });
    await run.recordEvent({ type: 'router_limits_not_applied', detail: { code: failureType(error) ?? 'UNKNOWN' } });
  }
}
