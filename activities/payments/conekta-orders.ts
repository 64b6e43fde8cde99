import type { OrderResponse } from 'conekta';
import type { GatewayPaymentRecord, PaymentOutcome, PaymentReversal, PaymentStatus } from '../../domain/payment';
import { currencyOf, paymentRecord, textOf } from './gateway';
import { CONEKTA_THREE_DS_MESSAGE, conektaMessage, conektaStatusMessage } from './messages';

/**
 * What a Conekta order means to us: its status, its charge's decline, a 3-D Secure challenge, a refund or a dispute,
 * as a PaymentOutcome (the charge's answer, a status lookup) or a GatewayPaymentRecord (reconciliation's searches).
 */

/** Charge-back statuses that mean the dispute is still being decided (`won`: the merchant kept the money). */
const OPEN_CHARGEBACK = new Set(['action_required', 'pending_review', 'under_review', 'represented', 'rt', 'rt_sent']);

/** Conekta order `payment_status` → our status. */
const STATUS: Readonly<Record<string, PaymentStatus>> = {
  paid: 'approved',
  pending_payment: 'pending',
  pre_authorized: 'pending',
  declined: 'declined',
  expired: 'cancelled',
  canceled: 'cancelled',
  voided: 'cancelled',
  refunded: 'refunded',
  partially_refunded: 'refunded',
  charged_back: 'charged_back',
};

/** How the money of an order went back, or may: its charge-back first, then its refunds. */
function conektaReversal(order: OrderResponse): PaymentReversal | undefined {
  const chargeback = order.charges?.data?.[0]?.chargeback;
  if (chargeback?.status !== 'won' && (chargeback || order.payment_status === 'charged_back')) {
    return chargeback?.status && OPEN_CHARGEBACK.has(chargeback.status) ? 'in_dispute' : 'charged_back';
  }
  if (order.payment_status === 'refunded') return 'refunded';
  if (order.payment_status === 'partially_refunded') return 'partially_refunded';
  return undefined;
}

/** Normalises an order. Declines carry the charge's failure code and the customer's message for it. */
export function conektaOutcome(order: OrderResponse): PaymentOutcome {
  const gatewayStatus = order.payment_status ?? 'unknown';
  const charge = order.charges?.data?.[0];
  const redirectUrl = order.next_action?.redirect_to_url?.url;
  const reversal = conektaReversal(order);
  const base = {
    reference: order.id ?? '',
    gatewayStatus,
    amountCents: order.amount,
    currency: currencyOf(order.currency),
    ...(order.amount_refunded ? { refundedCents: order.amount_refunded } : {}),
    ...(reversal ? { reversal } : {}),
    extra: { chargeId: charge?.id, chargeStatus: charge?.status },
  };
  // 3-D Secure: the order waits in pending_payment with a page the customer must visit.
  if (gatewayStatus === 'pending_payment' && redirectUrl) {
    const challenge = { url: redirectUrl };
    return { ...base, status: 'requires_action', redirectUrl, challenge, message: CONEKTA_THREE_DS_MESSAGE };
  }
  // A dispute, open or lost, ends the access whatever the order's own word says (an open one may still read `paid`).
  const disputed = reversal === 'charged_back' || reversal === 'in_dispute';
  const status = disputed ? 'charged_back' : (STATUS[gatewayStatus] ?? 'pending');
  if (status === 'approved') return { ...base, status };
  if (status === 'declined') {
    const code = charge?.failure_code;
    return { ...base, status, code, message: code ? conektaMessage(code) : conektaStatusMessage(gatewayStatus) };
  }
  return { ...base, status, message: conektaStatusMessage(disputed ? 'charged_back' : gatewayStatus) };
}

const dateOfSeconds = (seconds: number | undefined) => new Date((seconds ?? 0) * 1000);

/** An order as reconciliation sees it. */
export function conektaRecord(order: OrderResponse): GatewayPaymentRecord {
  return paymentRecord(conektaOutcome(order), {
    purchaseId: textOf(order.metadata?.purchase_id),
    companyId: textOf(order.metadata?.company_id),
    createdAt: dateOfSeconds(order.created_at),
    updatedAt: dateOfSeconds(order.updated_at ?? order.created_at),
  });
}
