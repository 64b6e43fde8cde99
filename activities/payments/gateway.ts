import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError, type ErrorCode } from '../../domain/errors';
import { CURRENCIES, type Currency } from '../../domain/money';
import type { GatewayPaymentRecord, PaymentOutcome } from '../../domain/payment';
import type { Gateway } from '../../domain/purchase';
import { notConfiguredMessage } from '../../domain/messages';
import { gatewayErrorMessage } from './messages';

/** One card charge, as every purchase step asks for it whatever the gateway. */
export interface ChargeRequest {
  /** Our purchase id: Conekta `metadata.purchase_id`, Mercado Pago `external_reference` and idempotency key seed. */
  purchaseId: string;
  /**
   * When the purchase row was created. No charge for it can be older, so when a retry must look for the charge an
   * earlier attempt made, it searches from here: durable, unlike the time of the retry.
   */
  purchaseCreatedAt: Date;
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

/** One page of a search for the payments a gateway changed in a time window (see PaymentGateway.searchPayments). */
export interface PaymentSearch {
  /** ISO 8601: payments last changed at or after this. */
  updatedFrom: string;
  /** ISO 8601: … and at or before this. */
  updatedTo: string;
  /** The previous page's nextCursor (opaque); absent for the first page. Valid only with the same window. */
  cursor?: string;
}

export interface PaymentSearchPage {
  /** Every payment of the account in the window, ours or not (`purchaseId` says), in the gateway's order. */
  items: GatewayPaymentRecord[];
  /** Absent on the last page. */
  nextCursor?: string;
}

/**
 * The port every payment activity calls. Declines are outcomes, not errors; failures throw PaymentGatewayError,
 * whose `retryable` tells Temporal whether to try again. Every method is safe to retry. Reads wait out the gateway's
 * rate limit (429, honouring Retry-After) a few times before failing retryably.
 */
export interface PaymentGateway {
  readonly gateway: Gateway;
  /**
   * Charges once per purchase: a retry of the same request (its single-use card token included) returns the charge
   * an earlier attempt made, even when that attempt's answer was lost.
   */
  charge(req: ChargeRequest): Promise<PaymentOutcome>;
  /** The gateway's authoritative status (webhooks are only a hint to call this); `reversal` tells refunds and disputes apart. */
  getStatus(reference: string): Promise<PaymentOutcome>;
  /**
   * The charge made for our purchase id, or null, looking among the charges made since the purchase row was created
   * (minus a margin for clocks): for retries whose answer was lost and for purchases without a gateway reference.
   */
  findByPurchaseId(purchaseId: string, purchaseCreatedAt: Date): Promise<PaymentOutcome | null>;
  /**
   * One page of the payments the gateway changed between `updatedFrom` and `updatedTo` (refunds, charge-backs and
   * disputes change a payment), for reconciliation: call again with `nextCursor` until there is none.
   */
  searchPayments(search: PaymentSearch): Promise<PaymentSearchPage>;
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
  /** On a 429: how long the gateway asked us to wait (its Retry-After header), when it said. */
  retryAfterSeconds?: number;
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
  retryAfterSeconds?: number,
): PaymentGatewayError {
  const details: PaymentGatewayErrorDetails = {
    gateway,
    httpStatus,
    gatewayCode,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  };
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

/** Seconds of a Retry-After header (delta-seconds; an HTTP date is read as no advice). */
export function retryAfterSeconds(value: unknown): number | undefined {
  const seconds = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/**
 * How long a read waits out a gateway's 429s in all: well within an activity's attempt (a status lookup has 40 s, a
 * gateway call up to 20 s of its own), after which the 429 is thrown, retryable, and Temporal's policy takes over.
 */
const RATE_LIMIT_BUDGET_MS = 20_000;

/**
 * Runs a read again while the gateway says we are going too fast (429): after its Retry-After, else after 0.5 s,
 * 1 s, 2 s…, so a search through thousands of payments slows down instead of failing. Once the next wait would pass
 * the budget, the last 429 is thrown (retryable); any other failure is thrown at once.
 */
export async function waitingOutRateLimits<T>(run: () => Promise<T>, wait: (ms: number) => Promise<unknown> = sleep): Promise<T> {
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof PaymentGatewayError) || error.details.httpStatus !== 429) throw error;
      const advised = error.details.retryAfterSeconds;
      const next = advised !== undefined ? advised * 1000 : 500 * 2 ** (attempt - 1);
      if (waited + next > RATE_LIMIT_BUDGET_MS) throw error;
      waited += next;
      await wait(next);
    }
  }
}

/**
 * How much earlier than our purchase row a gateway may date its charge: the row is written before the charge is sent,
 * so only the two clocks' disagreement can make the charge look older.
 */
const CLOCK_MARGIN_MS = 10 * 60_000;

/** Where a search for a purchase's charge starts (see ChargeRequest.purchaseCreatedAt). */
export function chargesSince(purchaseCreatedAt: Date): Date {
  return new Date(purchaseCreatedAt.getTime() - CLOCK_MARGIN_MS);
}

/** An opaque search cursor: the adapter's own state, base64url JSON. */
export function encodeCursor(state: object): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

/** A cursor encodeCursor made, or a final failure: a cursor cannot get better by retrying. */
export function decodeCursor<T extends object>(gateway: Gateway, cursor: string): T {
  try {
    const state: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof state === 'object' && state !== null && !Array.isArray(state)) return state as T;
  } catch {
    // refused below
  }
  throw invalidRequest(gateway, 'Cursor de búsqueda inválido.');
}

/** A search window's ends as epoch milliseconds, or a final failure when they are not ISO dates in order. */
export function searchWindow(gateway: Gateway, search: PaymentSearch): { from: number; to: number } {
  const from = Date.parse(search.updatedFrom);
  const to = Date.parse(search.updatedTo);
  if (Number.isNaN(from) || Number.isNaN(to) || from > to) throw invalidRequest(gateway, 'Intervalo de búsqueda inválido.');
  return { from, to };
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

/** Amounts reach gateways as positive integer cents only: a fraction of a cent would be rounded by someone else. */
export function assertAmountCents(gateway: Gateway, amountCents: number): void {
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0) throw invalidRequest(gateway, 'Monto inválido.');
}

/** A gateway's currency word as ours, or undefined for one we do not sell in. */
export function currencyOf(value: string | undefined): Currency | undefined {
  const upper = value?.toUpperCase();
  return CURRENCIES.find((c) => c === upper);
}

/** A non-empty string from a gateway's loosely typed field (metadata, references), else undefined. */
export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** A normalised charge as reconciliation sees it: whose it is (from its metadata), what became of it, and when. */
export function paymentRecord(
  outcome: PaymentOutcome,
  facts: { purchaseId?: string; companyId?: string; createdAt: Date; updatedAt: Date },
): GatewayPaymentRecord {
  const { status, reversal, reference, gatewayStatus, amountCents, refundedCents, currency } = outcome;
  const { purchaseId, companyId } = facts;
  return {
    ...(purchaseId ? { purchaseId } : {}),
    ...(companyId ? { companyId } : {}),
    reference,
    status,
    ...(reversal ? { reversal } : {}),
    gatewayStatus,
    amountCents,
    refundedCents: refundedCents ?? 0,
    currency,
    createdAt: facts.createdAt.toISOString(),
    updatedAt: facts.updatedAt.toISOString(),
  };
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
