import { allHandlersFinished, condition, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { MESSAGES } from '../domain/messages';
import type { PaymentOutcome } from '../domain/payment';
import {
  settledPayment,
  type ActivatedColumns,
  type AutoConnectReport,
  type EnabledUser,
  type PurchaseState,
  type PurchaseWorkflowInput,
  type RecordStatusInput,
} from '../domain/temporal';
import { activityFailure, failureLog, failureType } from './failures';
import { paymentStatusUntil } from './options';
import { PATCHES, takes } from './patches';
import { iso, now, PurchaseRun, type AdminRequest } from './purchase-run';
import { applyLimits, refundStackedTime, removeAccess, stack, tellStacked } from './purchase-stacking';

/**
 * One purchase, from the card to the end of access (see docs/purchase.md):
 *
 *   reserve (disabled hotspot user) → charge → [wait for confirmation] → enable → [auto-connect] → active → expire
 *                                                                       └─ or stack onto the device's running purchase
 *
 * Nothing is charged before the router has the user; a declined, cancelled or failed charge removes the user; a paid
 * customer whose user cannot be enabled before the provisioning deadline is refunded; at expiry the user, its sessions
 * and its cookies are removed, retried until the router confirms. The first decisive outcome answers the waiting HTTP
 * request (update `purchaseOutcome`); webhooks only nudge the workflow to ask the gateway.
 *
 * The steps are kept in one file, in the order they run, so the purchase reads top to bottom (what they share is in
 * purchase-run.ts).
 */
export async function purchaseWorkflow(input: PurchaseWorkflowInput): Promise<PurchaseState> {
  const result = await runPurchase(input);
  // Let update handlers (the HTTP request's outcome, admin actions) return before the workflow closes.
  await condition(allHandlersFinished);
  return result;
}

/**
 * The steps in order. A step that ends the purchase (records its final status, answers, cleans up) returns nothing to
 * go on with (`false` or `undefined`), and the purchase ends there.
 */
async function runPurchase(input: PurchaseWorkflowInput): Promise<PurchaseState> {
  const run = new PurchaseRun(input);
  if (input.adopted) return (await adopt(run, input.adopted.expiresAt)) ? holdAccess(run) : run.end();

  if (!(await reserve(run))) return run.end();
  let payment = await charge(run);
  if (payment && isUndecided(payment)) payment = await waitForConfirmation(run, payment);
  if (!payment) return run.end();
  if (payment.status !== 'approved') return decline(run, payment);
  await markPaid(run, payment);
  if (takes(PATCHES.stackOntoRunningPurchase) && (await stack(run))) return holdAccess(run);
  const enabled = await enable(run);
  if (!enabled) return run.end();
  await activate(run, enabled, payment);
  return holdAccess(run);
}

/**
 * A customer sold by the original service and imported while active already has an enabled user on the router: no
 * reserve, charge or enable. Its user is taken over (retried without end, like a removal: a router that is down is
 * adopted when it returns), then its access is held like any other.
 */
async function adopt(run: PurchaseRun, expiresAt: string): Promise<boolean> {
  const adoption = await run.cleanup.adoptHotspotUser(run.purchaseId);
  if (!adoption.adopted) {
    // Gone from the router, or someone else's now: there is no access left to hold or to remove.
    await run.record('expired', { reason: adoption.reason, fields: { endedAt: now() } });
    run.answer({ status: 'expired', code: adoption.reason });
    return false;
  }
  await run.recordEvent({ type: 'adopted', detail: { expiresAt } });
  run.answer({ status: 'active' });
  return true;
}

/** 1. Reserve: the disabled user must exist on the router before any money moves. */
async function reserve(run: PurchaseRun): Promise<boolean> {
  try {
    const reserved = await run.reserveStep('reserveHotspotUser', run.purchaseId);
    run.stackable = reserved.stackable;
    run.routerUserRef = reserved.routerUserRef;
    run.terms = reserved.terms;
    run.credentialsReplaced = reserved.credentialsReplaced;
    return true;
  } catch (error) {
    const code = failureType(error) ?? 'ROUTER_UNREACHABLE';
    await run.record('failed', { reason: code, message: MESSAGES.routerUnreachable, fields: { endedAt: now() } }, 'router_unreachable');
    run.answer({ status: 'failed', code: 'ROUTER_UNREACHABLE', message: MESSAGES.routerUnreachable });
    // A user may exist if the router answered late; it is disabled, but must not be left behind.
    await run.cleanup.removeHotspotUser(run.purchaseId);
    return false;
  }
}

/** 2. Charge, idempotent by purchase id. */
async function charge(run: PurchaseRun): Promise<PaymentOutcome | undefined> {
  await run.record('charging');
  try {
    // A voucher was paid at the counter: approved without a charge, so the wait and the decline after it never apply.
    if (run.settled) return settledPayment(run.settled);
    const charged = await run.chargeStep('chargePayment', run.purchaseId);
    run.operatorsNotified = charged.operatorsNotified;
    return charged;
  } catch (error) {
    // Refused, or no answer for minutes (or, from a worker of release 1.1 during a deploy, made but not recorded):
    // make sure no charge survives, then release the user.
    const code = failureType(error) ?? 'PAYMENT_GATEWAY_UNAVAILABLE';
    const message = chargeFailureMessage(code, error);
    const cancelled = await run.followUp.cancelPayment(run.purchaseId).catch(() => null);
    const notice = code === 'PAYMENT_NOT_RECORDED' ? 'charge_not_recorded' : undefined;
    await run.record('failed', { reason: code, message, fields: { endedAt: now(), gatewayStatus: cancelled?.gatewayStatus } }, notice);
    run.answer({ status: 'failed', code, message });
    await run.cleanup.removeHotspotUser(run.purchaseId);
    return undefined;
  }
}

/**
 * 3. Wait for a final answer when the gateway has none yet: woken by webhook hints, polling meanwhile; a payment still
 * undecided at its bound is cancelled.
 */
async function waitForConfirmation(run: PurchaseRun, charged: PaymentOutcome): Promise<PaymentOutcome | undefined> {
  let payment = charged;
  await run.record('pending', {
    reason: payment.code,
    message: payment.message,
    fields: paymentFields(payment, { nextActionUrl: payment.redirectUrl ?? null }),
  });
  run.answer({
    status: 'pending',
    code: payment.code,
    message: payment.status === 'requires_action' ? MESSAGES.paymentRequiresAction : (payment.message ?? MESSAGES.paymentPending),
    redirectUrl: payment.redirectUrl,
  });
  const { pendingMaxSeconds, statusPollSeconds } = run.timing;
  const deadline = Date.now() + pendingMaxSeconds * 1000;
  let seen = run.hints;
  while (isUndecided(payment)) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    await condition(() => run.hints !== seen, Math.min(left, statusPollSeconds * 1000));
    seen = run.hints;
    try {
      payment = await run.paymentStatus.getPaymentStatus(run.purchaseId);
    } catch (error) {
      log.warn('payment status lookup failed; asking again at the next poll', { purchaseId: run.purchaseId, ...failureLog(error) });
    }
  }
  if (!isUndecided(payment)) return payment;

  const cancelled = await run.followUp.cancelPayment(run.purchaseId);
  await run.record('cancelled', {
    reason: 'PENDING_TIMEOUT',
    message: MESSAGES.paymentCancelled,
    fields: { endedAt: now(), gatewayStatus: cancelled?.gatewayStatus, nextActionUrl: null },
  });
  await run.cleanup.removeHotspotUser(run.purchaseId);
  return undefined;
}

/** Declined, cancelled, or (oddly, before approval) refunded / charged back: nothing to deliver. */
async function decline(run: PurchaseRun, payment: PaymentOutcome): Promise<PurchaseState> {
  await run.record(
    'declined',
    { reason: payment.code ?? payment.gatewayStatus, message: payment.message, fields: { ...paymentFields(payment, { nextActionUrl: null }), endedAt: now() } },
    'declined',
  );
  run.answer({ status: 'declined', code: payment.code, message: payment.message });
  await run.cleanup.removeHotspotUser(run.purchaseId);
  return run.end();
}

/** 4. Paid (then either stacked onto the device's running purchase, or enabled). */
async function markPaid(run: PurchaseRun, payment: PaymentOutcome): Promise<void> {
  run.reversalHintsWhenPaid = run.reversalHints;
  await run.record('paid', { fields: { ...paymentFields(payment, { nextActionUrl: null }), paidAt: now() } });
}

/**
 * Enable the user before the provisioning deadline, or give the money back. The step records the activation itself
 * (with the passing statuses and the router's id of the user), sparing the workflow a local activity of its own.
 */
async function enable(run: PurchaseRun): Promise<EnabledUser | undefined> {
  try {
    return takes(PATCHES.enableRecordsActivation)
      ? await run.enableStep('enableHotspotUser', run.purchaseId, run.activationInput())
      : await run.enableStep('enableHotspotUser', run.purchaseId);
  } catch (error) {
    log.error('could not enable a paid hotspot user before the deadline; refunding', { purchaseId: run.purchaseId, ...failureLog(error) });
    const refund = await run.refundOrRecord('PROVISIONING_FAILED');
    await run.record(
      'refunded',
      { reason: 'PROVISIONING_FAILED', message: MESSAGES.provisioningRefunded, fields: { endedAt: now(), refundedCents: refund?.refundedCents, gatewayStatus: refund?.gatewayStatus } },
      'refunded',
    );
    run.answer({ status: 'refunded', code: 'PROVISIONING_FAILED', message: MESSAGES.provisioningRefunded });
    await run.cleanup.removeHotspotUser(run.purchaseId);
    return undefined;
  }
}

/**
 * Enabled: the access runs from its activation for the plan's validity (the times the step took, or, in histories
 * of earlier releases, the workflow's); the device is logged in when the customer asked.
 */
async function activate(run: PurchaseRun, enabled: EnabledUser, payment: PaymentOutcome): Promise<void> {
  if (enabled.activation) {
    const { activatedAt, expiresAt, routerUserRef, recorded } = enabled.activation;
    run.expiresAt = Date.parse(expiresAt);
    if (recorded) run.recordedByStep('active');
    else await run.record('active', { fields: { activatedAt, expiresAt, routerUserRef } });
  } else {
    const activatedAt = Date.now();
    run.expiresAt = activatedAt + enabled.validitySeconds * 1000;
    await run.record('active', { fields: { activatedAt: iso(activatedAt), expiresAt: iso(run.expiresAt) } });
  }

  let autoConnect: AutoConnectReport = { requested: false, connected: false };
  if (enabled.autoConnect) {
    autoConnect = await run.device
      .autoConnectDevice(run.purchaseId)
      .catch(() => ({ requested: true, connected: false, reason: 'router_error' }));
    await run.recordEvent({ type: 'auto_connect', detail: { ...autoConnect } });
  }
  run.answer({ status: 'active', autoConnect, credentialsReplaced: run.credentialsReplaced, activated: activatedColumns(run.expiresAt, payment) });
  run.tell('approved');
}

/**
 * The columns `paid` and `active` wrote that the purchase's answer shows, as the row holds them (a reference of a
 * charge-less payment is NULL, no extras `{}`): the API that wrote the row answers from them without reading it back.
 */
function activatedColumns(expiresAt: number, payment: PaymentOutcome): ActivatedColumns {
  return { expiresAt: iso(expiresAt), gatewayReference: payment.reference || null, gatewayStatus: payment.gatewayStatus, gatewayDetail: payment.extra ?? {} };
}

/**
 * 5. Active until expiry, an admin's action, or a refund / charge-back at the gateway; then 6. expire. Shared by a
 * sale and an adopted customer.
 */
async function holdAccess(run: PurchaseRun): Promise<PurchaseState> {
  let seen = run.reversalHints;
  const whenPaid = run.reversalHintsWhenPaid;
  if (whenPaid !== undefined && whenPaid !== seen && takes(PATCHES.hintsWhilePaidKept)) seen = whenPaid;
  for (;;) {
    const wake = await condition(
      () => run.reversalHints !== seen || run.admin.length > 0 || run.stackedAccessEnded,
      Math.max(run.expiresAt! - Date.now(), 0),
    );
    if (run.stackedAccessEnded) {
      await refundStackedTime(run);
      return run.end();
    }
    if (run.admin.length > 0) {
      const request = run.admin[0];
      if (request.kind !== 'extend' && request.kind !== 'stack') return endByAdmin(run, request);
      await extend(run, request);
      continue;
    }
    if (run.reversalHints !== seen) {
      seen = run.reversalHints;
      if (await endIfReversed(run)) return run.end();
      continue;
    }
    if (!wake && Date.now() >= run.expiresAt!) break;
  }
  return expire(run);
}

/**
 * More access is granted only with its record (which carries the new expiry): an extension that cannot be recorded
 * is refused, and the purchase expires when it was going to. An admin's extension, or another purchase's time stacked
 * onto this one (or taken back); the router user's limits follow.
 */
async function extend(run: PurchaseRun, request: Extract<AdminRequest, { kind: 'extend' | 'stack' }>): Promise<void> {
  if (run.stackedOnto) {
    request.refused = 'El tiempo de esta compra se sumó a otra compra: extienda esa.';
  } else {
    const { seconds } = request.input;
    const extended: number = run.expiresAt! + seconds * 1000;
    const recorded = await run.recordEvent({ ...extensionEvent(request), fields: { expiresAt: iso(extended) } });
    if (recorded) {
      run.expiresAt = extended;
      if (request.kind === 'stack') {
        if (seconds > 0) run.stacks.set(request.input.from, request.input.fromWorkflowId);
        else run.stacks.delete(request.input.from);
      }
      // Answered once recorded: a slow router must not keep a stacking purchase waiting into its fallback.
      request.done = run.status;
      if (takes(PATCHES.extensionOnRouter)) await applyLimits(run);
    } else {
      request.refused = 'No se pudo registrar la extensión; no se aplicó.';
    }
  }
  request.done ??= run.status;
  run.admin.shift();
}

/** The history event of a change of time: an admin's extension, or another purchase's time stacked or taken back. */
function extensionEvent(request: Extract<AdminRequest, { kind: 'extend' | 'stack' }>): { type: string; detail: Record<string, unknown> } {
  if (request.kind === 'stack') {
    const { from, seconds, uptimeSeconds } = request.input;
    return { type: seconds > 0 ? 'time_stacked' : 'time_taken_back', detail: { from_purchase: from, seconds, uptime_seconds: uptimeSeconds } };
  }
  const { seconds, actor, reason } = request.input;
  return { type: 'extended', detail: { seconds, actor, reason } };
}

/** An admin's refund or revocation: the access goes first, then the money (for a refund). */
async function endByAdmin(run: PurchaseRun, request: Extract<AdminRequest, { kind: 'refund' | 'revoke' }>): Promise<PurchaseState> {
  const detail = { actor: request.input.actor, reason: request.input.reason };
  await removeAccess(run);
  if (request.kind === 'refund') {
    const refund = await run.refundOrRecord('ADMIN_REFUND');
    await run.record('refunded', { reason: 'ADMIN_REFUND', fields: { endedAt: now(), refundedCents: refund?.refundedCents, gatewayStatus: refund?.gatewayStatus }, detail }, 'refunded');
  } else {
    await run.record('revoked', { reason: 'ADMIN_REVOKE', fields: { endedAt: now() }, detail });
  }
  await tellStacked(run);
  request.done = run.status;
  return run.end();
}

/** A notice that may mean a refund or charge-back at the gateway: asked, and the access removed if so. */
async function endIfReversed(run: PurchaseRun): Promise<boolean> {
  // Asked until the gateway answers, up to the purchase's end: a reversal must not be lost to a gateway outage.
  const lookup = takes(PATCHES.reversalLookupUntilAnswered)
    ? proxyActivities<Activities>(paymentStatusUntil(Math.max(run.expiresAt! - Date.now(), 1000)))
    : run.paymentStatus;
  const latest = await lookup.getPaymentStatus(run.purchaseId).catch(() => undefined);
  if (!latest || (latest.status !== 'refunded' && latest.status !== 'charged_back')) return false;
  await removeAccess(run);
  await run.record(latest.status === 'refunded' ? 'refunded' : 'revoked', {
    reason: latest.status === 'refunded' ? 'GATEWAY_REFUND' : 'CHARGED_BACK',
    fields: { endedAt: now(), refundedCents: latest.refundedCents, gatewayStatus: latest.gatewayStatus },
  });
  await tellStacked(run);
  return true;
}

/**
 * 6. Expire: the user, its sessions and its cookies go; retried until the router confirms. A stacked purchase has no
 * user: its time ends with the running purchase's, which removes the access.
 */
async function expire(run: PurchaseRun): Promise<PurchaseState> {
  run.closeAdmin();
  if (!run.stackedOnto) await run.expireStep('revokeHotspotAccess', run.purchaseId);
  await run.record('expired', { fields: { endedAt: now() } });
  return run.end();
}

function isUndecided(payment: PaymentOutcome): boolean {
  return payment.status === 'pending' || payment.status === 'requires_action';
}

function paymentFields(payment: PaymentOutcome, extra: { nextActionUrl?: string | null }): RecordStatusInput['fields'] {
  return {
    gatewayReference: payment.reference,
    gatewayStatus: payment.gatewayStatus,
    gatewayDetail: payment.extra,
    ...extra,
  };
}

/** Failures whose message the payment adapters wrote for the customer (Spanish); any other stays internal. */
const CUSTOMER_FACING_FAILURES: ReadonlySet<string> = new Set(['PAYMENT_GATEWAY_REJECTED', 'PAYMENT_NOT_CONFIGURED']);

/** What the customer is told about a charge that failed: never an internal (database, driver, stack) text. */
function chargeFailureMessage(code: string, error: unknown): string {
  if (code === 'PAYMENT_NOT_RECORDED') return MESSAGES.chargeNotRecorded;
  const message = CUSTOMER_FACING_FAILURES.has(code) ? activityFailure(error)?.message : undefined;
  return message || MESSAGES.paymentGatewayUnavailable;
}
