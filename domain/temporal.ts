import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ErrorCode } from './errors';
import type { Actor } from './operations';
import type { PaymentOutcome, PaymentStatus } from './payment';
import type { NextAction, PurchaseGateway, PurchaseStatus } from './purchase';

/** Names shared by the API (client) and the worker. Workflow and message names are wire names: never rename. */

export const WORKFLOW_TYPES = {
  purchase: 'purchaseWorkflow',
  routerProbe: 'routerProbeWorkflow',
  reconnectDevice: 'reconnectDeviceWorkflow',
  telegramTest: 'telegramTestWorkflow',
  conektaWebhookKey: 'conektaWebhookKeyWorkflow',
  reconcile: 'reconcileWorkflow',
  reconcilePayments: 'reconcilePaymentsWorkflow',
} as const;

/** The schedule that runs the reconciliation (created by the worker at start). */
export const RECONCILE_SCHEDULE_ID = 'reconcile-routers';

/** The schedule that asks the gateways about the purchases they changed (created by the worker at start). */
export const PAYMENTS_RECONCILE_SCHEDULE_ID = 'reconcile-payments';

/** Search attributes (keyword) registered on the namespace, so operators can filter purchases in the Web UI. */
export const SEARCH_ATTRIBUTES = {
  companyId: defineSearchAttributeKey('CompanyId', SearchAttributeType.KEYWORD),
  routerId: defineSearchAttributeKey('RouterId', SearchAttributeType.KEYWORD),
  gateway: defineSearchAttributeKey('PaymentGateway', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('PurchaseStatus', SearchAttributeType.KEYWORD),
} as const;

/** The search attributes a purchase workflow starts with (its status then follows the purchase's). */
export function purchaseSearchAttributes(input: Pick<PurchaseWorkflowInput, 'companyId' | 'routerId' | 'gateway'>, status: PurchaseStatus) {
  return [
    { key: SEARCH_ATTRIBUTES.companyId, value: input.companyId },
    { key: SEARCH_ATTRIBUTES.routerId, value: input.routerId },
    { key: SEARCH_ATTRIBUTES.gateway, value: input.gateway },
    { key: SEARCH_ATTRIBUTES.status, value: status },
  ];
}

/**
 * `purchase:<companyId>:<routerId>:<attemptKey>`: one workflow per purchase attempt, so a double submit is one
 * purchase. The router is part of the attempt: a client's key means nothing to another router.
 */
export function purchaseWorkflowId(companyId: string, routerId: string, attemptKey: string): string {
  return `purchase:${companyId}:${routerId}:${attemptKey}`;
}

/** Timing of one purchase, fixed when it starts (from the API's configuration). */
export interface PurchaseTiming {
  /** Budget to reach the router and create the disabled user before giving up without charging. */
  routerReserveSeconds: number;
  /** How long a pending / 3-D Secure payment may wait before it is cancelled. */
  pendingMaxSeconds: number;
  /** How often to ask the gateway while pending (webhooks get lost). */
  statusPollSeconds: number;
  /** How long to keep trying to enable the user after the charge before refunding. */
  provisioningDeadlineSeconds: number;
}

/** The configuration a purchase's timing comes from (variables of the API's environment). */
export interface PurchaseTimingSettings {
  ROUTER_CONNECT_TIMEOUT_SECONDS: number;
  PAYMENT_PENDING_MAX_SECONDS: number;
  PAYMENT_STATUS_POLL_SECONDS: number;
  PROVISIONING_DEADLINE_SECONDS: number;
}

/**
 * The customer's budget for reaching the router comes in two equal halves: the first try (run locally) and the
 * retries after it. Each half is one connect timeout plus a second to create the user.
 */
const RESERVE_HALVES = 2;

/** The timing of a purchase starting now. */
export function purchaseTiming(settings: PurchaseTimingSettings): PurchaseTiming {
  return {
    routerReserveSeconds: RESERVE_HALVES * (settings.ROUTER_CONNECT_TIMEOUT_SECONDS + 1),
    pendingMaxSeconds: settings.PAYMENT_PENDING_MAX_SECONDS,
    statusPollSeconds: settings.PAYMENT_STATUS_POLL_SECONDS,
    provisioningDeadlineSeconds: settings.PROVISIONING_DEADLINE_SECONDS,
  };
}

/** One half of the router budget: the first try's timeout, and then the retries' budget. */
export function reserveHalfSeconds(timing: PurchaseTiming): number {
  return timing.routerReserveSeconds / RESERVE_HALVES;
}

export interface PurchaseWorkflowInput {
  purchaseId: string;
  companyId: string;
  routerId: string;
  gateway: PurchaseGateway;
  timing: PurchaseTiming;
  /**
   * The access was paid for before the purchase started (a voucher sold at the counter): no charge and no wait; the
   * workflow reserves, enables, logs the device in and expires like any approved purchase.
   */
  settled?: { via: 'voucher' };
  /**
   * A customer sold by the original service, imported while still active: its hotspot user already exists and is
   * enabled, so the workflow takes it over (tags it) and holds the access until `expiresAt` (ISO), with no charge.
   */
  adopted?: { expiresAt: string };
}

/** The payment of a purchase settled beforehand (`PurchaseWorkflowInput.settled`): approved, with no gateway charge. */
export function settledPayment(settled: NonNullable<PurchaseWorkflowInput['settled']>): PaymentOutcome {
  return { status: 'approved', reference: '', gatewayStatus: settled.via };
}

/** Result of logging the customer's device in after the purchase (best effort). */
export interface AutoConnectReport {
  requested: boolean;
  connected: boolean;
  mac?: string;
  ip?: string;
  /** Why it did not connect: `no_mac`, `timeout`, `no_host`, `login_failed`, `router_error`. */
  reason?: string;
  /**
   * The device was logged out of another user's session to log in as this purchase's; `replacedPurchase` is that
   * user's purchase, when it is one of ours. Never the user's name: a PIN user's name is its secret, and this report
   * is in the workflow's history.
   */
  replacedSession?: boolean;
  replacedPurchase?: string;
}

/**
 * The first decisive answer of a purchase, returned to the waiting HTTP request. Credentials are never in it, so no
 * password travels through workflow history: the API wrote them with the row, or reads them from the database.
 */
export interface PurchaseOutcome {
  status: PurchaseStatus;
  code?: ErrorCode | string;
  message?: string;
  redirectUrl?: string;
  autoConnect?: AutoConnectReport;
  /** The time was added to the device's running purchase (no new credentials; the device stays logged in). */
  stacked?: boolean;
  /**
   * The reservation gave, or may have given, the purchase other credentials than those its row was written with (the
   * router held that name for someone else; a try before the one that answered may have): the API's copy may be stale.
   */
  credentialsReplaced?: boolean;
  /**
   * An `active` answer: what the workflow wrote to the row with it that the purchase's answer shows (non-secret, from
   * the charge's result), so the API that wrote the row answers without reading it back.
   */
  activated?: ActivatedColumns;
}

/** The row's columns an approved purchase's answer shows that only its workflow knows. */
export interface ActivatedColumns {
  expiresAt: string;
  gatewayReference: string | null;
  gatewayStatus: string | null;
  gatewayDetail: Record<string, unknown>;
}

/** A returning device to log in again; the API has already checked the credentials against the purchase. */
export interface ReconnectDeviceInput {
  purchaseId: string;
  mac: string;
  ip?: string;
}

/** Live state, for the status endpoint and operators. */
export interface PurchaseState {
  status: PurchaseStatus;
  expiresAt?: string;
  nextAction?: NextAction;
}

/** A webhook told us something changed; the workflow asks the gateway for the truth. */
export interface PaymentHint {
  eventId?: string;
  status?: PaymentStatus | string;
}

/** Notifications that only confirm a charge (its creation, its capture): news to a pending purchase, never to a paid one. */
const CONFIRMATIONS = new Set(['order.created', 'order.pending_payment', 'order.paid', 'charge.created', 'charge.paid', 'payment.created']);

/**
 * Whether a notification may mean the money went back (refund, charge-back, void; Mercado Pago's generic
 * `payment.updated`; anything unknown): the only news an active purchase must ask the gateway about.
 */
export function mayReversePayment(hint: PaymentHint): boolean {
  return hint.status === undefined || !CONFIRMATIONS.has(hint.status);
}

/**
 * Statuses in which a confirmation is no news to the workflow: it is charging (the charge's own answer comes first; a
 * payment left undecided is written `pending` before the wait for confirmations starts), or it was paid. A purchase
 * still `created` may already be paid: its passing statuses are written with its activation.
 */
const NOT_WAITING_FOR_CONFIRMATION: ReadonlySet<PurchaseStatus> = new Set(['created', 'charging', 'paid', 'active']);

/** Whether a purchase in `status` has any use for the notification (one not waiting for a confirmation only for a possible reversal). */
export function worthNotifying(status: PurchaseStatus, hint: PaymentHint): boolean {
  return !NOT_WAITING_FOR_CONFIRMATION.has(status) || mayReversePayment(hint);
}

export interface AdminActionInput {
  actor: Actor;
  reason?: string;
}

export interface ExtendInput extends AdminActionInput {
  seconds: number;
}

export const purchaseOutcomeUpdate = defineUpdate<PurchaseOutcome>('purchaseOutcome');
export const paymentNotifiedSignal = defineSignal<[PaymentHint]>('paymentNotified');
export const refundUpdate = defineUpdate<{ status: PurchaseStatus }, [AdminActionInput]>('refund');
export const revokeUpdate = defineUpdate<{ status: PurchaseStatus }, [AdminActionInput]>('revoke');
export const extendUpdate = defineUpdate<{ status: PurchaseStatus; expiresAt: string }, [ExtendInput]>('extend');
export const purchaseStateQuery = defineQuery<PurchaseState>('purchaseState');

/**
 * Time a later purchase of the same plan, made for the same device, adds to this running purchase (`seconds` and
 * `uptimeSeconds` positive), or takes back when that purchase is reversed (negative). `from` is that purchase: the
 * update's id is derived from it, so each is applied once.
 */
export interface StackTimeInput {
  from: string;
  /** The workflow of the purchase `from`: told if this purchase's access ends early, taking its time with it. */
  fromWorkflowId: string;
  seconds: number;
  /** Online time for the router user's `limit-uptime`; absent when the plan has no such limit. */
  uptimeSeconds?: number;
}
export const stackTimeUpdate = defineUpdate<{ status: PurchaseStatus; expiresAt: string }, [StackTimeInput]>('stackTime');
/** Sent by a purchase that received stacked time and ended early (revoked, refunded): that time is gone with it. */
export const stackedAccessEndedSignal = defineSignal<[{ purchaseId: string; status: PurchaseStatus }]>('stackedAccessEnded');

/** The update id of stacking purchase `from`'s time onto another purchase (`take back`: its reversal). */
export function stackUpdateId(from: string, takeBack = false): string {
  return `${takeBack ? 'unstack' : 'stack'}:${from}`;
}

/** The running purchase a new purchase's time is added to (same router, device and plan; active). */
export interface StackTarget {
  purchaseId: string;
  workflowId: string;
}

/** The status reason of a purchase whose time was added to the device's running purchase (it has no user of its own). */
export const STACKED_REASON = 'STACKED';

/** A status change written by the workflow: the purchase row, one purchase_events row, in one transaction. */
export interface RecordStatusInput {
  purchaseId: string;
  to: PurchaseStatus;
  reason?: string;
  message?: string;
  /** ISO timestamps and other columns that change with this status. */
  fields?: {
    gatewayReference?: string;
    gatewayStatus?: string;
    gatewayDetail?: Record<string, unknown>;
    nextActionUrl?: string | null;
    paidAt?: string;
    activatedAt?: string;
    expiresAt?: string;
    endedAt?: string;
    refundedCents?: number;
    /** The router's id of the purchase's hotspot user (`*1A`, not a secret), written once the user is enabled. */
    routerUserRef?: string;
  };
  detail?: Record<string, unknown>;
  /**
   * Statuses the purchase passed through before `to` that were not written yet (see PurchaseRun.record): written
   * first, in order, by the same statement, each with its own history event.
   */
  passed?: PassedStatus[];
  /**
   * The operators' notice of this change, queued by the same statement when it makes the change (a retried write
   * queues nothing again): sent by the worker's notice sender, no server round trip of the purchase's own.
   */
  notice?: OperatorNotice;
}

/** A status change recorded together with a later one. */
export type PassedStatus = Omit<RecordStatusInput, 'purchaseId' | 'passed' | 'notice'>;

/** What reserving the purchase's hotspot user tells the workflow (never its name: a PIN user's name is its secret). */
export interface ReservedUser {
  /** False when the purchase names no device MAC or no plan: nothing it could stack onto, not looked for. */
  stackable: boolean;
  /** The router's id of the user (`*1A`), handed to enable, which writes it with the purchase's activation. */
  routerUserRef: string;
  /** The row's credentials were replaced, or may have been (a try before this one): the API must read them back. */
  credentialsReplaced: boolean;
  /** What enabling the user needs of its purchase, so that enable reads no row. */
  terms: AccessTerms;
}

/** What enabling a purchase's user needs to know of it (none of it secret; the username is, for a PIN user). */
export interface AccessTerms {
  routerId: string;
  validitySeconds: number;
  uptimeLimitSeconds: number | null;
  autoConnect: boolean;
}

/**
 * Asked of the enable step: once the router has enabled the user, the activity writes the purchase `active` itself,
 * through `passed` (the passing statuses not written yet), with the router's id of the user reserve returned (a stale
 * one is found by name again; null when the reservation ran an earlier release, which stored it in the row). Saves
 * the workflow a status write of its own after the step.
 */
export interface ActivationInput {
  passed: PassedStatus[];
  routerUserRef: string | null;
  /** From the reservation; absent when an earlier release's reservation did not hand them over (the row is read). */
  terms?: AccessTerms;
  /** The operators' notice of the sale, queued with the activation (absent: none, or the workflow tells them itself). */
  notice?: OperatorNotice;
}

/** What enabling the user tells the workflow. */
export interface EnabledUser {
  validitySeconds: number;
  autoConnect: boolean;
  /**
   * Given when asked to record the activation (ActivationInput): the access's times (the activity's clock, or those an
   * earlier try wrote), the router's id of the user, and whether the activity wrote the change; `recorded: false`
   * means its write failed (access is never held back by it) and the workflow writes the change itself.
   */
  activation?: { activatedAt: string; expiresAt: string; routerUserRef: string; recorded: boolean };
}

/**
 * The charge's answer, and whether the company's operators are told about its purchases (an operator channel is on),
 * read with the company that charged: when not, the workflow schedules no notice of this charge's outcome. Absent in
 * the histories of earlier releases: told as before.
 */
export type ChargeOutcome = PaymentOutcome & { operatorsNotified?: boolean };

/** An event in a purchase's history that is not a status change (auto-connect, extension, refund failure…). */
export interface RecordEventInput {
  purchaseId: string;
  type: string;
  detail?: Record<string, unknown>;
  fields?: { expiresAt?: string; gatewayStatus?: string };
}

/** What an operator is told about (Telegram). */
export type OperatorNotice =
  | 'approved'
  | 'declined'
  | 'refunded'
  | 'router_unreachable'
  | 'charge_not_recorded'
  // the payment reconciliation refunded money taken for a purchase that ended without access
  | 'reconciliation_refunded'
  // the payment reconciliation closed a purchase whose workflow had ended
  | 'workflow_gone';

/** What one reconciliation found on a router. */
export interface RouterReconcileReport {
  routerId: string;
  /** Hotspot users carrying our tag. */
  checked: number;
  /** Users removed because their purchase had ended. */
  removed: number;
  /** Users tagged with a purchase this database does not know (reported, not removed). */
  unknown: number;
  /** Active purchases whose user was missing or disabled and was put back (with the time left until the expiry). */
  restored: number;
  /** Such purchases the router refused to put back (reported in their history). */
  notRestored: number;
  /** Set when the router could not be checked this time. */
  error?: string;
}

export interface AbandonedReport {
  checked: number;
  closed: number;
}

export interface ReconcileReport {
  routers: RouterReconcileReport[];
  abandoned: AbandonedReport;
}
