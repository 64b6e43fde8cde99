import type { DeclineReason } from '../lib/scenarios';

/** Mercado Pago `status_detail` of a rejected card payment, per decline reason. */
export const MERCADO_PAGO_DECLINES: Record<DeclineReason, string> = {
  declined: 'cc_rejected_other_reason',
  insufficient_funds: 'cc_rejected_insufficient_amount',
  stolen: 'cc_rejected_blacklist',
  fraud: 'cc_rejected_high_risk',
};

/** Pending details per pending token: one settles approved, the other rejected. */
export const PENDING_DETAILS = {
  pending_approve: 'pending_contingency',
  pending_reject: 'pending_review_manual',
} as const;

/** A failed 3-D Secure challenge. */
export const THREE_DS_REJECTED = 'cc_rejected_3ds_challenge';

/** 3-D Secure needed but the payment did not ask for it (`three_d_secure_mode` not `optional`). */
export const THREE_DS_NOT_REQUESTED = 'cc_rejected_call_for_authorize';
