import { DomainError, type ErrorCode } from '../../domain/errors';
import { CURRENCIES, type Currency } from '../../domain/money';
import type { PaymentOutcome } from '../../domain/payment';
import type { Gateway } from '../../domain/purchase';
import { gatewayErrorMessage, notConfiguredMessage } from './messages';

/** One card charge, as every purchase step asks for it whatever the gateway. */
export interface ChargeRequest {
  /** Our purchase id: Conekta `metadata.purchase_id`, Mercado Pago `external_reference` and idempotency key seed. */
  purchaseId: string;
  /** Integer cents from our database (the product's price), never from the client. */
  amountCents: number;
  currency: Currency;
  /** Single-use card token made by the gateway's JS in the captive portal. */
  cardToken: string;
  customer: { name: string; email: string; phone?: string };
  /** Product name, shown on the gateway's dashboard. */
  description: string;
  /** Non-secret correlation values (company id, router id, product id). */
  metadata?: Record<string, string>;
  /** Ask for 3-D Secure where the gateway supports it (Conekta `three_ds_mode`, MP `three_d_secure_mode`). */
  threeDSecure: boolean;
  /** Where the 3-D Secure page sends the customer back (Conekta `return_url`). */
  returnUrl?: string;
  /** Mercado Pago `notification_url`, built from our public base URL. */
  notificationUrl?: string;
  clientIp?: string;
  /** Card data Mercado Pago's create-payment call requires; ignored by Conekta. */
  mercadoPago?: { paymentMethodId: string; installments: number; issuerId?: string; deviceId?: string };
}

/**
 * The port every payment activity calls. Declines are outcomes, not errors; failures throw PaymentGatewayError,
 * whose `retryable` tells Temporal whether to try again. Every method is safe to retry.
 */
export interface PaymentGateway {
  readonly gateway: Gateway;
  /** Charges once per purchase id: a retry returns the charge an earlier attempt made. */
  charge(req: ChargeRequest): Promise<PaymentOutcome>;
  /** The gateway's authoritative status (webhooks are only a hint to call this). */
  getStatus(reference: string): Promise<PaymentOutcome>;
  /** The charge made for our purchase id, or null: for retries and reconciliation. */
  findByPurchaseId(purchaseId: string): Promise<PaymentOutcome | null>;
  /** Refunds `amountCents`, or whatever is still refundable when omitted (a no-op once fully refunded). */
  refund(reference: string, amountCents?: number): Promise<PaymentOutcome>;
  /** Cancels or voids a charge that was not captured (a no-op when already cancelled or declined). */
  cancel(reference: string): Promise<PaymentOutcome>;
}

export type PaymentErrorCode = Extract<
  ErrorCode,
  'PAYMENT_GATEWAY_UNAVAILABLE' | 'PAYMENT_GATEWAY_REJECTED' | 'PAYMENT_NOT_CONFIGURED' | 'PAYMENT_NOT_FOUND'
>;

/** Non-secret facts about a failed gateway call, safe for logs and workflow payloads. */
export interface PaymentGatewayErrorDetails {
  gateway: Gateway;
  /** HTTP status, absent for network failures and timeouts. */
  httpStatus?: number;
  /** The gateway's own error code (`conekta.errors…`, MP cause code). */
  gatewayCode?: string;
}

/**
 * A gateway call that failed. `retryable` is true for network failures, timeouts, 5xx and 429 (Temporal retries);
 * false for requests the gateway refused (bad request, credentials, unknown reference). `message` is Spanish and
 * safe to show a customer.
 */
export class PaymentGatewayError extends DomainError {
  constructor(
    code: PaymentErrorCode,
    message: string,
    readonly retryable: boolean,
    override readonly details: PaymentGatewayErrorDetails,
  ) {
    super(code, message, details);
    this.name = 'PaymentGatewayError';
  }
}

/** Statuses a charge is retried on, as HTTP says: timeouts, locks, rate limits and server errors. */
function isRetryableStatus(httpStatus: number): boolean {
  return httpStatus === 408 || httpStatus === 423 || httpStatus === 424 || httpStatus === 429 || httpStatus >= 500;
}

/**
 * Classifies a failed call by HTTP status (undefined = no answer: network failure or timeout). `message` overrides
 * the generic Spanish text for final rejections when the gateway's code has a better one.
 */
export function gatewayFailure(
  gateway: Gateway,
  httpStatus: number | undefined,
  gatewayCode?: string,
  message?: string,
): PaymentGatewayError {
  const details: PaymentGatewayErrorDetails = { gateway, httpStatus, gatewayCode };
  if (httpStatus === undefined || isRetryableStatus(httpStatus)) {
    const unavailable = 'PAYMENT_GATEWAY_UNAVAILABLE';
    return new PaymentGatewayError(unavailable, gatewayErrorMessage(unavailable), true, details);
  }
  const code: PaymentErrorCode =
    httpStatus === 401 || httpStatus === 403
      ? 'PAYMENT_NOT_CONFIGURED'
      : httpStatus === 404
        ? 'PAYMENT_NOT_FOUND'
        : 'PAYMENT_GATEWAY_REJECTED';
  const text = code === 'PAYMENT_GATEWAY_REJECTED' && message ? message : gatewayErrorMessage(code);
  return new PaymentGatewayError(code, text, false, details);
}

/** No credentials for this gateway: final until an admin configures the company. */
export function assertConfigured(gateway: Gateway, credential: string): void {
  if (!credential.trim()) {
    throw new PaymentGatewayError('PAYMENT_NOT_CONFIGURED', notConfiguredMessage(gateway), false, { gateway });
  }
}

/** A request we refuse to send (bad amount, missing card data): final, the same input would fail again. */
export function invalidRequest(gateway: Gateway, message: string): PaymentGatewayError {
  return new PaymentGatewayError('PAYMENT_GATEWAY_REJECTED', message, false, { gateway });
}

/** Amounts reach gateways as positive integer cents only (the original truncated 19.99 to 1998). */
export function assertAmountCents(gateway: Gateway, amountCents: number): void {
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0) throw invalidRequest(gateway, 'Monto inválido.');
}

/** A gateway's currency word as ours, or undefined for one we do not sell in. */
export function currencyOf(value: string | undefined): Currency | undefined {
  const upper = value?.toUpperCase();
  return CURRENCIES.find((c) => c === upper);
}

/** Nothing left to cancel: the charge never captured money, or it was already undone. */
export function isCancelledOrDeclined(outcome: PaymentOutcome): boolean {
  return outcome.status === 'cancelled' || outcome.status === 'declined';
}

/** Cents still refundable on a charge (0 once fully refunded, or when nothing was captured). */
export function refundableCents(outcome: PaymentOutcome): number {
  if (outcome.status !== 'approved' && outcome.status !== 'refunded') return 0;
  return Math.max(0, (outcome.amountCents ?? 0) - (outcome.refundedCents ?? 0));
}

/**
 * Of several charges for one purchase (should not happen, but a lookup may find more), the one that holds money
 * wins, so a reconciliation never mistakes a paid purchase for an unpaid one.
 */
export function mostRelevant(outcomes: PaymentOutcome[]): PaymentOutcome | null {
  const rank = (o: PaymentOutcome): number =>
    ['approved', 'refunded', 'charged_back', 'pending', 'requires_action', 'declined', 'cancelled'].indexOf(o.status);
  return [...outcomes].sort((a, b) => rank(a) - rank(b))[0] ?? null;
}
