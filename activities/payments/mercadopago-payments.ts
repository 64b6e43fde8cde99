import { toCents } from '../../domain/money';
import type { GatewayPaymentRecord, PaymentOutcome, PaymentReversal, PaymentStatus } from '../../domain/payment';
import { currencyOf, paymentRecord, textOf } from './gateway';
import { mercadoPagoMessage } from './messages';

/**
 * What a Mercado Pago payment means to us: its status and `status_detail`, a 3-D Secure challenge, a refund or a
 * dispute, as a PaymentOutcome (the charge's answer, a status lookup) or a GatewayPaymentRecord (reconciliation's
 * searches).
 */

/** Mercado Pago payment `status` → our status (details refine approved and pending below). */
const STATUS: Readonly<Record<string, PaymentStatus>> = {
  approved: 'approved',
  authorized: 'pending',
  in_process: 'pending',
  pending: 'pending',
  rejected: 'declined',
  cancelled: 'cancelled',
  refunded: 'refunded',
  charged_back: 'charged_back',
  in_mediation: 'charged_back',
};

/** The fields of a payment (from create, get or search) the outcome needs. */
export interface MercadoPagoPaymentLike {
  id?: number | string;
  status?: string;
  status_detail?: string;
  transaction_amount?: number;
  transaction_amount_refunded?: number;
  currency_id?: string;
  payment_method_id?: string;
  payment_type_id?: string;
  issuer_id?: string | number;
  installments?: number;
  three_ds_info?: { external_resource_url?: string; creq?: string };
  external_reference?: string;
  metadata?: Record<string, unknown>;
  date_created?: string;
  date_last_updated?: string;
}

/** How the money of a payment went back, or may. */
function mercadoPagoReversal(gatewayStatus: string, refundedCents: number): PaymentReversal | undefined {
  if (gatewayStatus === 'refunded') return 'refunded';
  if (gatewayStatus === 'charged_back') return 'charged_back';
  if (gatewayStatus === 'in_mediation') return 'in_dispute';
  // A partial refund leaves the payment `approved` (status_detail `partially_refunded`).
  return gatewayStatus === 'approved' && refundedCents > 0 ? 'partially_refunded' : undefined;
}

/** Normalises a payment. Declines and pending states carry the customer's message for their `status_detail`. */
export function mercadoPagoOutcome(payment: MercadoPagoPaymentLike): PaymentOutcome {
  const gatewayStatus = payment.status ?? 'unknown';
  const detail = payment.status_detail;
  const refunded = payment.transaction_amount_refunded ? toCents(payment.transaction_amount_refunded) : 0;
  const challenge = payment.three_ds_info?.external_resource_url;
  const reversal = mercadoPagoReversal(gatewayStatus, refunded);
  const base = {
    reference: String(payment.id ?? ''),
    gatewayStatus,
    code: detail,
    amountCents: payment.transaction_amount === undefined ? undefined : toCents(payment.transaction_amount),
    currency: currencyOf(payment.currency_id),
    ...(refunded > 0 ? { refundedCents: refunded } : {}),
    ...(reversal ? { reversal } : {}),
    extra: {
      paymentMethodId: payment.payment_method_id,
      paymentTypeId: payment.payment_type_id,
      ...(payment.issuer_id !== undefined && payment.issuer_id !== null ? { issuerId: String(payment.issuer_id) } : {}),
      installments: payment.installments,
      statusDetail: detail,
    },
  };
  // 3-D Secure: pending with a challenge the portal opens by a form POST of three_ds_info.creq to external_resource_url.
  if (gatewayStatus === 'pending' && detail === 'pending_challenge' && challenge) {
    const creq = payment.three_ds_info?.creq;
    const extra = { ...base.extra, creq };
    return {
      ...base,
      status: 'requires_action',
      redirectUrl: challenge,
      challenge: { url: challenge, ...(creq ? { creq } : {}) },
      message: mercadoPagoMessage(detail),
      extra,
    };
  }
  // A partial refund leaves the payment `approved`; our model says refunded, with refundedCents.
  const status = gatewayStatus === 'approved' && refunded > 0 ? 'refunded' : (STATUS[gatewayStatus] ?? 'pending');
  if (status === 'approved') return { ...base, status };
  return { ...base, status, message: mercadoPagoMessage(detail, gatewayStatus) };
}

const dateOf = (date: string | undefined) => new Date(date ?? 0);

/** A payment as reconciliation sees it. */
export function mercadoPagoRecord(payment: MercadoPagoPaymentLike): GatewayPaymentRecord {
  return paymentRecord(mercadoPagoOutcome(payment), {
    purchaseId: textOf(payment.external_reference) ?? textOf(payment.metadata?.purchase_id),
    companyId: textOf(payment.metadata?.company_id),
    createdAt: dateOf(payment.date_created),
    updatedAt: dateOf(payment.date_last_updated ?? payment.date_created),
  });
}
