import type { Cents, Currency } from './money';

/**
 * A gateway's answer, normalised across Conekta and Mercado Pago. Webhooks are only a hint to ask again:
 * the workflow acts on these values, fetched from the gateway by an activity.
 */
export type PaymentStatus =
  | 'approved' // money captured (Conekta `paid`, Mercado Pago `approved`)
  | 'pending' // accepted, not final (Conekta `pending_payment`/`pre_authorized`, MP `in_process`/`pending`/`authorized`)
  | 'requires_action' // the customer must complete 3-D Secure at `redirectUrl`
  | 'declined' // refused by the issuer or the gateway's anti-fraud; nothing charged
  | 'cancelled' // cancelled/voided/expired before capture; nothing charged
  | 'refunded' // money returned (fully or partially: see refundedCents and reversal)
  | 'charged_back'; // the cardholder disputed the charge (a dispute still open included: see reversal)

/**
 * How money already captured went back, or may: finer than the status, which folds a partial refund into `refunded`
 * and an open dispute into `charged_back` (both end the access the payment bought).
 */
export type PaymentReversal =
  | 'refunded' // all of it returned
  | 'partially_refunded' // part of it returned (refundedCents < amountCents)
  | 'charged_back' // taken back by the card's issuer after a dispute
  | 'in_dispute'; // a dispute is open (Mercado Pago `in_mediation`, a Conekta charge-back under review)

/** A 3-D Secure challenge the customer's browser must open. */
export interface PaymentChallenge {
  /** Conekta's page (open it: redirect or frame) or Mercado Pago's `three_ds_info.external_resource_url`. */
  url: string;
  /** Mercado Pago's `three_ds_info.creq`: the page accepts only a form POST carrying it (non-secret). */
  creq?: string;
}

export interface PaymentOutcome {
  status: PaymentStatus;
  /** Set when money captured went back or is disputed (refund, partial refund, charge-back, open dispute). */
  reversal?: PaymentReversal;
  /**
   * The gateway's own id: Conekta order id (`ord_…`), Mercado Pago payment id; '' when the gateway made no charge (a
   * decline that created no order), which is stored as NULL.
   */
  reference: string;
  /** The gateway's raw status word (`paid`, `approved`, `in_process`…), for the record and the original's responses. */
  gatewayStatus: string;
  /** Decline or status detail code (`card_declined`, `cc_rejected_insufficient_amount`…). */
  code?: string;
  /** Customer-facing message in Spanish. */
  message?: string;
  /** 3-D Secure challenge URL when status is `requires_action` (the same as `challenge.url`). */
  redirectUrl?: string;
  /** The 3-D Secure challenge when status is `requires_action`: where, and for Mercado Pago what to POST there. */
  challenge?: PaymentChallenge;
  amountCents?: Cents;
  currency?: Currency;
  refundedCents?: Cents;
  /** Non-secret extras for the original's response (`mercado_pago` block: payment method, installments…). */
  extra?: Record<string, unknown>;
}

/** One payment as a gateway's search lists it, for reconciliation: whose it is, what happened to it, and when. */
export interface GatewayPaymentRecord {
  /** Our purchase id (Conekta `metadata.purchase_id`, Mercado Pago `external_reference`); absent when not ours. */
  purchaseId?: string;
  /** Our company id as the charge's metadata carries it (`company_id`), when it does. */
  companyId?: string;
  reference: string;
  status: PaymentStatus;
  reversal?: PaymentReversal;
  gatewayStatus: string;
  amountCents?: Cents;
  refundedCents?: Cents;
  currency?: Currency;
  /** ISO 8601, UTC. */
  createdAt: string;
  /** When the gateway last changed it (refunds and charge-backs included), ISO 8601, UTC. */
  updatedAt: string;
}
