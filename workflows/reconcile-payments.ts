import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PaymentOutcome } from '../domain/payment';
import type { PaymentReconcileReport, PurchaseWithoutWorkflow } from '../domain/reconciliation';
import type { PurchaseStatus } from '../domain/purchase';
import type { OperatorNotice } from '../domain/temporal';
import { failureType } from './failures';
import { NOTIFY, RECONCILE } from './options';

const reconcile = proxyActivities<Activities>(RECONCILE);
const notify = proxyActivities<Activities>(NOTIFY);

/**
 * The gateways are the truth about money, and webhooks get lost: on a schedule (and when a super admin asks), every
 * payment each gateway account changed in the window is compared with its purchase, page by page within the
 * gateway's rate limit. A reversal the purchase has not applied is passed to its workflow as a webhook would be; money
 * taken for a purchase that ended without access is refunded; a payment of ours without a purchase row is reported.
 * Then purchases in a live status whose workflow has ended (terminated, reset or failed in the Temporal UI) are
 * closed: their access removed at or after their expiry (at once when their money went back), any money taken without
 * access returned. Every finding is written to the run (its id is this workflow's id) and to the purchase's history.
 */
export async function reconcilePaymentsWorkflow(): Promise<PaymentReconcileReport> {
  const runId = workflowInfo().workflowId;
  const plan = await reconcile.openPaymentReconciliation(runId);
  const notices: Promise<void>[] = [];
  // Notifications never hold the run back: started, not awaited until the end, failures only logged.
  const tell = (purchaseId: string, notice: OperatorNotice) =>
    notices.push(notify.notifyOperator(purchaseId, notice).catch((error: unknown) => log.warn('operator notification failed', { error })));
  const report: PaymentReconcileReport = {
    runId,
    windowFrom: plan.windowFrom,
    windowTo: plan.windowTo,
    listed: 0,
    gatewayCalls: 0,
    workflowsGone: 0,
    counts: {},
    errors: [],
  };
  for (const account of plan.accounts) {
    let cursor: string | undefined;
    try {
      do {
        const page = await reconcile.reconcilePaymentPage({ runId, account, windowFrom: plan.windowFrom, windowTo: plan.windowTo, cursor });
        report.listed += page.listed;
        report.gatewayCalls += page.gatewayCalls;
        page.refunded.forEach((purchaseId) => tell(purchaseId, 'reconciliation_refunded'));
        cursor = page.nextCursor;
      } while (cursor);
    } catch (error) {
      // Credentials revoked, or the gateway down for the activity's retries: this account waits for the next run.
      const code = failureType(error) ?? 'UNKNOWN';
      log.warn('gateway account not reconciled this time', { gateway: account.gateway, companyIds: account.companyIds, code });
      report.errors.push({ ...account, code });
    }
  }

  for (const purchase of await reconcile.findPurchasesWithoutWorkflow()) {
    try {
      if (await closeWithoutWorkflow(runId, purchase)) {
        report.workflowsGone += 1;
        tell(purchase.purchaseId, 'workflow_gone');
      }
    } catch (error) {
      // A router or a gateway that does not answer: the purchase is found again by the next run.
      log.warn('purchase without workflow not closed this time', { purchaseId: purchase.purchaseId, code: failureType(error) });
    }
  }
  const closed = await reconcile.closePaymentReconciliation(report);
  await Promise.all(notices);
  return closed;
}

/**
 * Ends a purchase nobody runs any more, as its workflow would have: access removed (an active one only once it has
 * expired, unless its money went back), money taken without access returned, the row closed. False when there is
 * nothing to do yet (an active purchase before its expiry) or the row changed meanwhile.
 */
async function closeWithoutWorkflow(runId: string, purchase: PurchaseWithoutWorkflow): Promise<boolean> {
  const { purchaseId, status } = purchase;
  const endedAt = new Date(Date.now()).toISOString();
  if (status === 'active') {
    const latest: PaymentOutcome | undefined = await reconcile.getPaymentStatus(purchaseId).catch(() => undefined);
    const reversed = latest?.status === 'refunded' || latest?.status === 'charged_back';
    if (!reversed && !purchase.expired) return false;
    await reconcile.revokeHotspotAccess(purchaseId);
    const to: PurchaseStatus = !reversed ? 'expired' : latest.status === 'refunded' ? 'refunded' : 'revoked';
    return reconcile.closePurchaseWithoutWorkflow({
      runId,
      purchaseId,
      from: status,
      to,
      reason: !reversed ? 'WORKFLOW_GONE' : latest.status === 'refunded' ? 'GATEWAY_REFUND' : 'CHARGED_BACK',
      fields: { endedAt, refundedCents: latest?.refundedCents, gatewayStatus: latest?.gatewayStatus },
    });
  }
  // Created (its first charge try may have run), reserved, charging, waiting or paid: nobody will enable the user, so no money may stay taken. A voucher's
  // redemption holds no money: cancelled, the voucher is unused again.
  const money = purchase.voucher ? undefined : await reconcile.cancelPayment(purchaseId);
  await reconcile.removeHotspotUser(purchaseId);
  return reconcile.closePurchaseWithoutWorkflow({
    runId,
    purchaseId,
    from: status,
    to: status === 'paid' && !purchase.voucher ? 'refunded' : 'cancelled',
    reason: 'WORKFLOW_GONE',
    fields: { endedAt, refundedCents: money?.refundedCents, gatewayStatus: money?.gatewayStatus, nextActionUrl: null },
  });
}
