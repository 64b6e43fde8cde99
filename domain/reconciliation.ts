import type { Gateway } from './purchase';

/** What started a payment reconciliation run: its schedule, or a super admin asking for one now. */
export type ReconcileTrigger = 'schedule' | 'admin';
export type ReconcileRunStatus = 'running' | 'completed' | 'failed';

/**
 * What a payment reconciliation can find, each written to the run's findings (and to the purchase's history when it
 * concerns one):
 * - `reversal_found`: a refund, partial refund, charge-back or open dispute at the gateway that the purchase has not
 *   applied yet; its workflow is told, as a webhook would, and revokes the access.
 * - `charge_refunded`: money taken for a purchase that ended without access (declined, failed, cancelled): refunded.
 * - `refund_failed`: such a charge whose refund the gateway refused; an operator must act.
 * - `unknown_payment`: a payment carrying our metadata for a purchase this database does not have.
 * - `workflow_gone`: a purchase in a live status whose workflow is no longer running (terminated, reset or failed in
 *   the Temporal UI): its access removed (at or after its expiry, or at once when its money went back), money taken
 *   without access refunded, its row closed.
 */
export const RECONCILE_FINDING_KINDS = ['reversal_found', 'charge_refunded', 'refund_failed', 'unknown_payment', 'workflow_gone'] as const;
export type ReconcileFindingKind = (typeof RECONCILE_FINDING_KINDS)[number];

/** One gateway account (one credential) and the companies whose purchases it holds (they may share a default key). */
export interface PaymentAccount {
  gateway: Gateway;
  companyIds: string[];
}

/** What a run asks the gateways about: every payment they changed in [windowFrom, windowTo] (ISO), account by account. */
export interface PaymentReconcilePlan {
  windowFrom: string;
  windowTo: string;
  accounts: PaymentAccount[];
}

export interface PaymentPageInput {
  runId: string;
  account: PaymentAccount;
  windowFrom: string;
  windowTo: string;
  cursor?: string;
}

export interface PaymentPageResult {
  /** Payments listed on the page (ours or not). */
  listed: number;
  /** Gateway calls made for the page (the search, and any refund). */
  gatewayCalls: number;
  /** Purchases whose money was refunded on this page (their operators are told). */
  refunded: string[];
  nextCursor?: string;
}

/** The run's result, as its workflow returns it (the Web UI shows it) and as its row keeps it. */
export interface PaymentReconcileReport {
  runId: string;
  windowFrom: string;
  windowTo: string;
  /** Payments listed by the gateways in the window. */
  listed: number;
  gatewayCalls: number;
  /** Purchases in a live status whose workflow had ended. */
  workflowsGone: number;
  counts: Partial<Record<ReconcileFindingKind, number>>;
  errors: { gateway: Gateway; companyIds: string[]; code: string }[];
}

/** A purchase in a live status whose workflow is no longer running. */
export interface PurchaseWithoutWorkflow {
  purchaseId: string;
  status: 'created' | 'charging' | 'pending' | 'paid' | 'active';
  /** An active purchase past its expiry. */
  expired: boolean;
  /** Paid with a voucher: no gateway holds money of it. */
  voucher: boolean;
}

/** Closes such a purchase's row, if it is still in `from`: the status change, its history and the run's finding. */
export interface CloseWithoutWorkflowInput {
  runId: string;
  purchaseId: string;
  from: PurchaseWithoutWorkflow['status'];
  to: 'expired' | 'refunded' | 'revoked' | 'cancelled';
  reason: string;
  fields: { endedAt: string; refundedCents?: number; gatewayStatus?: string; nextActionUrl?: null };
}
