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
  | 'refunded' // money returned (fully or partially: see refundedCents)
  | 'charged_back'; // the cardholder disputed the charge

export interface PaymentOutcome {
  status: PaymentStatus;
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
  /** 3-D Secure challenge URL when status is `requires_action`. */
  redirectUrl?: string;
  amountCents?: Cents;
  currency?: Currency;
  refundedCents?: Cents;
  /** Non-secret extras for the original's response (`mercado_pago` block: payment method, installments…). */
  extra?: Record<string, unknown>;
}
