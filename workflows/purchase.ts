import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { MESSAGES } from '../domain/messages';
import type { PaymentOutcome } from '../domain/payment';
import { nextAction, type PurchaseStatus } from '../domain/purchase';
import {
  extendUpdate,
  mayReversePayment,
  paymentNotifiedSignal,
  purchaseOutcomeUpdate,
  purchaseStateQuery,
  refundUpdate,
  reserveHalfSeconds,
  revokeUpdate,
  SEARCH_ATTRIBUTES,
  settledPayment,
  type AdminActionInput,
  type AutoConnectReport,
  type OperatorNotice,
  type PurchaseOutcome,
  type PurchaseState,
  type PurchaseWorkflowInput,
  type RecordEventInput,
  type RecordStatusInput,
} from '../domain/temporal';
import { activityFailure, failureType } from './failures';
import {
  AUTO_CONNECT,
  CHARGE_FIRST_TRY,
  firstTry,
  NOTIFY,
  PAYMENT_CHARGE,
  PAYMENT_FOLLOW_UP,
  PAYMENT_STATUS,
  ROUTER_CLEANUP,
  ROUTER_FIRST_TRY,
  routerProvision,
  routerReserve,
  STORE,
} from './options';

type AdminRequest =
  | { kind: 'refund' | 'revoke'; input: AdminActionInput; done?: PurchaseStatus; refused?: string }
  | { kind: 'extend'; input: AdminActionInput & { seconds: number }; done?: PurchaseStatus; refused?: string };

/**
 * One purchase, from the card to the end of access (see docs/purchase.md):
 *
 *   reserve (disabled hotspot user) → charge → [wait for confirmation] → enable → [auto-connect] → active → expire
 *
 * Nothing is charged before the router has the user; a declined, cancelled or failed charge removes the user; a paid
 * customer whose user cannot be enabled before the provisioning deadline is refunded; at expiry the user, its sessions
 * and its cookies are removed, retried until the router confirms. The first decisive outcome answers the waiting HTTP
 * request (update `purchaseOutcome`); webhooks only nudge the workflow to ask the gateway.
 */
export async function purchaseWorkflow(input: PurchaseWorkflowInput): Promise<PurchaseState> {
  const result = await runPurchase(input);
  // Let update handlers (the HTTP request's outcome, admin actions) return before the workflow closes.
  await condition(allHandlersFinished);
  return result;
}

async function runPurchase(input: PurchaseWorkflowInput): Promise<PurchaseState> {
  const { purchaseId, timing } = input;
  let current: PurchaseStatus = 'created';
  // The status search attribute, for operators filtering purchases in the Web UI (the API starts it at `created`).
  let published: PurchaseStatus = 'created';
  const publish = () => {
    if (published === current) return;
    published = current;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: current }]);
  };

  const store = proxyLocalActivities<Activities>(STORE);
  // The customer's budget for reaching the router is shared by the first try and the retries after it.
  const reserveBudgetSeconds = reserveHalfSeconds(timing);
  const reserve = firstLocally(firstTry(`${reserveBudgetSeconds} seconds`), routerReserve(reserveBudgetSeconds), publish);
  const charge = firstLocally(CHARGE_FIRST_TRY, PAYMENT_CHARGE, publish);
  const provision = firstLocally(ROUTER_FIRST_TRY, routerProvision(timing.provisioningDeadlineSeconds), publish);
  const expire = firstLocally(ROUTER_FIRST_TRY, ROUTER_CLEANUP, publish);
  const cleanup = proxyActivities<Activities>(ROUTER_CLEANUP);
  const device = proxyActivities<Activities>(AUTO_CONNECT);
  const followUp = proxyActivities<Activities>(PAYMENT_FOLLOW_UP);
  const status = proxyActivities<Activities>(PAYMENT_STATUS);
  const notify = proxyActivities<Activities>(NOTIFY);

  let outcome: PurchaseOutcome | undefined;
  let expiresAt: number | undefined;
  // Webhook notifications: any of them wakes the wait for a pending payment; an active purchase only asks the gateway
  // about those that may mean a refund or a charge-back (the capture's own notice usually lands after the sale).
  let hints = 0;
  let reversalHints = 0;
  const admin: AdminRequest[] = [];
  let acceptingAdmin = true;

  setHandler(purchaseOutcomeUpdate, async () => {
    await condition(() => outcome !== undefined);
    return outcome!;
  });
  setHandler(purchaseStateQuery, () => ({
    status: current,
    expiresAt: expiresAt ? new Date(expiresAt).toISOString() : undefined,
    nextAction: nextAction(current, outcome?.redirectUrl),
  }));
  setHandler(paymentNotifiedSignal, (hint) => {
    hints += 1;
    if (mayReversePayment(hint)) reversalHints += 1;
  });
  const enqueue = async (request: AdminRequest) => {
    admin.push(request);
    await condition(() => request.done !== undefined || !acceptingAdmin);
    if (request.done === undefined) {
      throw ApplicationFailure.create({ type: 'CONFLICT', message: `La compra terminó en estado ${current}`, nonRetryable: true });
    }
    if (request.refused) throw ApplicationFailure.create({ type: 'CONFLICT', message: request.refused, nonRetryable: true });
    return request.done;
  };
  // One admin action at a time: it stays first in the queue until done, and any other is refused meanwhile (a refund
  // waiting for a router that is down would otherwise gather requests without bound).
  const requireActive = () => {
    if (current !== 'active') {
      throw ApplicationFailure.create({ type: 'CONFLICT', message: `La compra está en estado ${current}`, nonRetryable: true });
    }
    if (admin.length > 0) {
      throw ApplicationFailure.create({ type: 'CONFLICT', message: 'Ya hay una acción en curso para esta compra', nonRetryable: true });
    }
  };
  setHandler(refundUpdate, async (action) => ({ status: await enqueue({ kind: 'refund', input: action }) }), {
    validator: (_action: AdminActionInput) => requireActive(),
  });
  setHandler(revokeUpdate, async (action) => ({ status: await enqueue({ kind: 'revoke', input: action }) }), {
    validator: (_action: AdminActionInput) => requireActive(),
  });
  setHandler(
    extendUpdate,
    async (action) => {
      const done = await enqueue({ kind: 'extend', input: action });
      return { status: done, expiresAt: new Date(expiresAt!).toISOString() };
    },
    {
      validator: (action) => {
        requireActive();
        if (!Number.isInteger(action.seconds) || action.seconds <= 0 || action.seconds > 366 * 86_400) {
          throw ApplicationFailure.create({ type: 'VALIDATION_FAILED', message: 'Extensión inválida', nonRetryable: true });
        }
      },
    },
  );

  // Bookkeeping never holds a purchase back: a write the database refuses for good, or that STORE's bound sees fail,
  // is logged as an error and the purchase goes on — expiry, refunds and revocations do not wait behind their history.
  const bookkeep = async (what: string, write: () => Promise<void>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (error) {
      if (isCancellation(error)) throw error;
      log.error('purchase record lost', { purchaseId, what, code: failureType(error), reason: activityFailure(error)?.message });
      return false;
    }
  };
  const record = async (to: PurchaseStatus, change: Omit<RecordStatusInput, 'purchaseId' | 'to'> = {}) => {
    await bookkeep(`status ${to}`, () => store.recordPurchaseStatus({ purchaseId, to, ...change }));
    current = to;
    if (!PASSING_STATUSES.has(to)) publish();
  };
  const recordEvent = (input: Omit<RecordEventInput, 'purchaseId'>) =>
    bookkeep(input.type, () => store.recordPurchaseEvent({ purchaseId, ...input }));
  /** Refunds; a refusal (nothing refundable, revoked credentials) is recorded for an operator instead of looping. */
  const refundOrRecord = async (reason: string): Promise<PaymentOutcome | undefined> => {
    try {
      return await followUp.refundPayment(purchaseId);
    } catch (error) {
      log.error('refund refused by the gateway; an operator must act', { error });
      await recordEvent({ type: 'refund_failed', detail: { reason, code: failureType(error) ?? 'UNKNOWN' } });
      return undefined;
    }
  };
  const answer = (value: PurchaseOutcome) => {
    outcome ??= value;
  };
  // Notifications never hold a purchase back: started, not awaited, failures only logged.
  const tell = (notice: OperatorNotice) => {
    void notify.notifyOperator(purchaseId, notice).catch((error: unknown) => log.warn('operator notification failed', { error }));
  };
  const end = (): PurchaseState => {
    acceptingAdmin = false;
    return { status: current, expiresAt: expiresAt ? new Date(expiresAt).toISOString() : undefined, nextAction: 'none' };
  };

  // 5–6. Hold the access until it ends, then remove it: shared by a sale and an adopted customer.
  const holdAccess = async (until: number): Promise<PurchaseState> => {
    expiresAt = until;
    // 5. Active until expiry, an admin action, or a refund / charge-back at the gateway.
    let seen = reversalHints;
    for (;;) {
      const wake = await condition(() => reversalHints !== seen || admin.length > 0, Math.max(expiresAt - Date.now(), 0));
      if (admin.length > 0) {
        const request = admin[0];
        if (request.kind === 'extend') {
          // More access is granted only with its record (which carries the new expiry): an extension that cannot be
          // recorded is refused, and the purchase expires when it was going to.
          const extended: number = expiresAt + request.input.seconds * 1000;
          const recorded = await recordEvent({
            type: 'extended',
            detail: { seconds: request.input.seconds, actor: request.input.actor, reason: request.input.reason },
            fields: { expiresAt: iso(extended) },
          });
          if (recorded) expiresAt = extended;
          else request.refused = 'No se pudo registrar la extensión; no se aplicó.';
          request.done = current;
          admin.shift();
          continue;
        }
        await cleanup.revokeHotspotAccess(purchaseId);
        if (request.kind === 'refund') {
          const refund = await refundOrRecord('ADMIN_REFUND');
          await record('refunded', {
            reason: 'ADMIN_REFUND',
            fields: { endedAt: now(), refundedCents: refund?.refundedCents, gatewayStatus: refund?.gatewayStatus },
            detail: { actor: request.input.actor, reason: request.input.reason },
          });
          tell('refunded');
        } else {
          await record('revoked', { reason: 'ADMIN_REVOKE', fields: { endedAt: now() }, detail: { actor: request.input.actor, reason: request.input.reason } });
        }
        request.done = current;
        return end();
      }
      if (reversalHints !== seen) {
        seen = reversalHints;
        const latest = await status.getPaymentStatus(purchaseId).catch(() => undefined);
        if (latest && (latest.status === 'refunded' || latest.status === 'charged_back')) {
          await cleanup.revokeHotspotAccess(purchaseId);
          await record(latest.status === 'refunded' ? 'refunded' : 'revoked', {
            reason: latest.status === 'refunded' ? 'GATEWAY_REFUND' : 'CHARGED_BACK',
            fields: { endedAt: now(), refundedCents: latest.refundedCents, gatewayStatus: latest.gatewayStatus },
          });
          return end();
        }
        continue;
      }
      if (!wake && Date.now() >= expiresAt) break;
    }
    acceptingAdmin = false;

    // 6. Expire: the user, its sessions and its cookies go; retried until the router confirms.
    await expire('revokeHotspotAccess', purchaseId);
    await record('expired', { fields: { endedAt: now() } });
    return end();
  };

  // A customer sold by the original service and imported while active already has an enabled user on the router: no
  // reserve, charge or enable. Its user is taken over (retried without end, like a removal: a router that is down is
  // adopted when it returns), then its access is held like any other.
  if (input.adopted) {
    current = published = 'active';
    expiresAt = Date.parse(input.adopted.expiresAt);
    const adoption = await proxyActivities<Activities>(ROUTER_CLEANUP).adoptHotspotUser(purchaseId);
    if (!adoption.adopted) {
      // Gone from the router, or someone else's now: there is no access left to hold or to remove.
      await record('expired', { reason: adoption.reason, fields: { endedAt: now() } });
      answer({ status: 'expired', code: adoption.reason });
      return end();
    }
    await recordEvent({ type: 'adopted', detail: { expiresAt: input.adopted.expiresAt } });
    answer({ status: 'active' });
    return holdAccess(expiresAt);
  }

  // 1. Reserve: the disabled user must exist on the router before any money moves.
  try {
    await reserve('reserveHotspotUser', purchaseId);
  } catch (error) {
    const code = failureType(error) ?? 'ROUTER_UNREACHABLE';
    await record('failed', { reason: code, message: MESSAGES.routerUnreachable, fields: { endedAt: now() } });
    answer({ status: 'failed', code: 'ROUTER_UNREACHABLE', message: MESSAGES.routerUnreachable });
    tell('router_unreachable');
    // A user may exist if the router answered late; it is disabled, but must not be left behind.
    await cleanup.removeHotspotUser(purchaseId);
    return end();
  }
  await record('charging');

  // 2. Charge, idempotent by purchase id.
  let payment: PaymentOutcome;
  try {
    // A voucher was paid at the counter: approved without a charge, so the wait and the decline below never apply.
    payment = input.settled ? settledPayment(input.settled) : await charge('chargePayment', purchaseId);
  } catch (error) {
    // Refused, no answer for minutes, or made but not recorded: make sure no charge survives, then release the user.
    const code = failureType(error) ?? 'PAYMENT_GATEWAY_UNAVAILABLE';
    const message = chargeFailureMessage(code, error);
    const cancelled = await followUp.cancelPayment(purchaseId).catch(() => null);
    await record('failed', { reason: code, message, fields: { endedAt: now(), gatewayStatus: cancelled?.gatewayStatus } });
    answer({ status: 'failed', code, message });
    if (code === 'PAYMENT_NOT_RECORDED') tell('charge_not_recorded');
    await cleanup.removeHotspotUser(purchaseId);
    return end();
  }

  // 3. Wait for a final answer when the gateway has none yet.
  if (payment.status === 'pending' || payment.status === 'requires_action') {
    await record('pending', {
      reason: payment.code,
      message: payment.message,
      fields: paymentFields(payment, { nextActionUrl: payment.redirectUrl ?? null }),
    });
    answer({
      status: 'pending',
      code: payment.code,
      message: payment.status === 'requires_action' ? MESSAGES.paymentRequiresAction : (payment.message ?? MESSAGES.paymentPending),
      redirectUrl: payment.redirectUrl,
    });
    const deadline = Date.now() + timing.pendingMaxSeconds * 1000;
    let seen = hints;
    while (payment.status === 'pending' || payment.status === 'requires_action') {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await condition(() => hints !== seen, Math.min(left, timing.statusPollSeconds * 1000));
      seen = hints;
      try {
        payment = await status.getPaymentStatus(purchaseId);
      } catch (error) {
        log.warn('payment status lookup failed; asking again at the next poll', { error });
      }
    }
    if (payment.status === 'pending' || payment.status === 'requires_action') {
      const cancelled = await followUp.cancelPayment(purchaseId);
      await record('cancelled', {
        reason: 'PENDING_TIMEOUT',
        message: MESSAGES.paymentCancelled,
        fields: { endedAt: now(), gatewayStatus: cancelled?.gatewayStatus, nextActionUrl: null },
      });
      await cleanup.removeHotspotUser(purchaseId);
      return end();
    }
  }

  if (payment.status !== 'approved') {
    // declined, cancelled, or (oddly, before approval) refunded / charged back: nothing to deliver.
    await record('declined', {
      reason: payment.code ?? payment.gatewayStatus,
      message: payment.message,
      fields: { ...paymentFields(payment, { nextActionUrl: null }), endedAt: now() },
    });
    answer({ status: 'declined', code: payment.code, message: payment.message });
    tell('declined');
    await cleanup.removeHotspotUser(purchaseId);
    return end();
  }

  // 4. Paid: enable the user before the provisioning deadline, or give the money back.
  await record('paid', { fields: { ...paymentFields(payment, { nextActionUrl: null }), paidAt: now() } });
  let enabled: { validitySeconds: number; autoConnect: boolean };
  try {
    enabled = await provision('enableHotspotUser', purchaseId);
  } catch (error) {
    log.error('could not enable a paid hotspot user before the deadline; refunding', { error });
    const refund = await refundOrRecord('PROVISIONING_FAILED');
    await record('refunded', {
      reason: 'PROVISIONING_FAILED',
      message: MESSAGES.provisioningRefunded,
      fields: { endedAt: now(), refundedCents: refund?.refundedCents, gatewayStatus: refund?.gatewayStatus },
    });
    answer({ status: 'refunded', code: 'PROVISIONING_FAILED', message: MESSAGES.provisioningRefunded });
    tell('refunded');
    await cleanup.removeHotspotUser(purchaseId);
    return end();
  }

  const activatedAt = Date.now();
  expiresAt = activatedAt + enabled.validitySeconds * 1000;
  await record('active', { fields: { activatedAt: iso(activatedAt), expiresAt: iso(expiresAt) } });

  let autoConnect: AutoConnectReport = { requested: false, connected: false };
  if (enabled.autoConnect) {
    autoConnect = await device.autoConnectDevice(purchaseId).catch(() => ({ requested: true, connected: false, reason: 'router_error' }));
    await recordEvent({ type: 'auto_connect', detail: { ...autoConnect } });
  }
  answer({ status: 'active', autoConnect });
  tell('approved');
  return holdAccess(expiresAt);
}

/** Steps that run many times a second (each purchase's path to its outcome, each expiry): worth a local first try. */
type Step = 'reserveHotspotUser' | 'chargePayment' | 'enableHotspotUser' | 'revokeHotspotAccess';

/**
 * Statuses a purchase that goes well passes through within one workflow task: not worth a visibility write each.
 * They are published when their step falls back to the durable activity, i.e. when they may last.
 */
const PASSING_STATUSES: ReadonlySet<PurchaseStatus> = new Set(['charging', 'paid']);

/**
 * A step's first try as a local activity (see options.ts `firstTry`), then, after a failure that a retry may cure (a
 * timeout, an unreachable router or gateway), the durable activity with its full policy, `beforeDurable` first.
 * Final failures (by the durable policy) are final either way. The activities are idempotent, so the durable one may
 * repeat the first try.
 */
function firstLocally(first: LocalActivityOptions, durable: ActivityOptions, beforeDurable: () => void) {
  const local: Pick<Activities, Step> = proxyLocalActivities<Activities>(first);
  const remote: Pick<Activities, Step> = proxyActivities<Activities>(durable);
  const finalTypes = durable.retry?.nonRetryableErrorTypes ?? [];
  return async <K extends Step>(step: K, purchaseId: string): Promise<Awaited<ReturnType<Activities[K]>>> => {
    try {
      return (await local[step](purchaseId)) as Awaited<ReturnType<Activities[K]>>;
    } catch (error) {
      const failure = activityFailure(error);
      const final = failure !== undefined && (failure.nonRetryable || finalTypes.includes(failure.type ?? ''));
      if (isCancellation(error) || final) throw error;
      beforeDurable();
      return (await remote[step](purchaseId)) as Awaited<ReturnType<Activities[K]>>;
    }
  };
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

// Workflow time (deterministic): Date.now() inside a workflow is the time of the current workflow task.
const iso = (ms: number) => new Date(ms).toISOString();
const now = () => iso(Date.now());
