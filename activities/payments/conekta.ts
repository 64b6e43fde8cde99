/**
 * Conekta adapter (the only file that imports the `conekta` SDK). Orders with one card charge, in exact integer
 * cents; our purchase id in `metadata.purchase_id`.
 */
import https from 'node:https';
import { Configuration, OrdersApi, WebhookKeysApi, type OrderRequest, type OrderResponse } from 'conekta';
import type { PaymentOutcome, PaymentStatus } from '../../domain/payment';
import type { Logger } from '../../shared/logger';
import { createLogger } from '../../shared/logger';
import {
  assertAmountCents,
  assertConfigured,
  currencyOf,
  gatewayFailure,
  invalidRequest,
  isCancelledOrDeclined,
  mostRelevant,
  refundableCents,
  type ChargeRequest,
  type PaymentGateway,
} from './gateway';
import { CONEKTA_MESSAGES, CONEKTA_THREE_DS_MESSAGE, conektaMessage, conektaStatusMessage } from './messages';

export interface ConektaGatewayOptions {
  /** The company's private key (or CONEKTA_DEFAULT_PRIVATE_KEY); sent as a bearer token, never logged. */
  privateKey: string;
  /** CONEKTA_API_BASE_URL: https://api.conekta.io, or a simulator. */
  baseUrl: string;
  timeoutMs: number;
  logger?: Logger;
}

/** How far back the thorough lookup scans (an activity's retries all happen well within it). */
const RECENT_SECONDS = 3_600;

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

/** The Conekta error envelope (`{object:'error', type, details:[{code,message}]}`), plus the order a decline made. */
interface ConektaErrorBody {
  type?: string;
  details?: Array<{ code?: string }>;
  data?: OrderResponse;
}

interface HttpFailure {
  httpStatus: number | undefined;
  body: ConektaErrorBody;
}

/** The SDK throws axios errors; read them by shape (axios is the SDK's dependency, not ours). */
function httpFailure(error: unknown): HttpFailure | undefined {
  const e = error as { isAxiosError?: boolean; response?: { status?: number; data?: unknown } };
  if (e?.isAxiosError !== true) return undefined;
  const data = e.response?.data;
  const body = typeof data === 'object' && data !== null ? (data as ConektaErrorBody) : {};
  return { httpStatus: e.response?.status, body };
}

/** Conekta wants a phone; the original sent +52 numbers and a placeholder when the portal collected none. */
function conektaPhone(phone: string | undefined): string {
  const digits = (phone ?? '').replace(/\D/g, '');
  if (digits.length === 12 && digits.startsWith('52')) return `+${digits}`;
  if (digits.length === 10) return `+52${digits}`;
  return '+521234567890';
}

/** Normalises an order. Declines carry the charge's failure code and the Appendix A message. */
export function conektaOutcome(order: OrderResponse): PaymentOutcome {
  const gatewayStatus = order.payment_status ?? 'unknown';
  const charge = order.charges?.data?.[0];
  const redirectUrl = order.next_action?.redirect_to_url?.url;
  const base = {
    reference: order.id ?? '',
    gatewayStatus,
    amountCents: order.amount,
    currency: currencyOf(order.currency),
    ...(order.amount_refunded ? { refundedCents: order.amount_refunded } : {}),
    extra: { chargeId: charge?.id, chargeStatus: charge?.status },
  };
  // 3-D Secure: the order waits in pending_payment with a page the customer must visit.
  if (gatewayStatus === 'pending_payment' && redirectUrl) {
    return { ...base, status: 'requires_action', redirectUrl, message: CONEKTA_THREE_DS_MESSAGE };
  }
  const status = STATUS[gatewayStatus] ?? 'pending';
  if (status === 'approved') return { ...base, status };
  if (status === 'declined') {
    const code = charge?.failure_code;
    return { ...base, status, code, message: code ? conektaMessage(code) : conektaStatusMessage(gatewayStatus) };
  }
  return { ...base, status, message: conektaStatusMessage(gatewayStatus) };
}

/**
 * The SDK configuration and error handling shared by the gateway and the webhook-key call: our own TLS agent, the
 * timeout, and failures turned into PaymentGatewayError (never the axios error, which holds the key).
 */
function conektaClient(options: ConektaGatewayOptions) {
  assertConfigured('conekta', options.privateKey);
  const log = (options.logger ?? createLogger({ level: 'silent' })).child({ gateway: 'conekta' });
  const configuration = new Configuration({
    accessToken: options.privateKey,
    basePath: options.baseUrl.replace(/\/+$/, ''),
    // The SDK's default agent has rejectUnauthorized: false (tech-notes §5.2); ours verifies certificates.
    baseOptions: {
      httpsAgent: new https.Agent({ rejectUnauthorized: true, keepAlive: true }),
      timeout: options.timeoutMs,
    },
  });

  function failure(operation: string, error: unknown): Error {
    const http = httpFailure(error);
    if (!http) return error instanceof Error ? error : new Error(String(error));
    const gatewayCode = http.body.details?.[0]?.code ?? http.body.type;
    const failed = gatewayFailure('conekta', http.httpStatus, gatewayCode, conektaMessage(gatewayCode));
    const { retryable } = failed;
    log.warn({ operation, httpStatus: http.httpStatus, gatewayCode, retryable }, 'conekta call failed');
    return failed;
  }

  async function call<T>(operation: string, run: () => Promise<{ data: T }>): Promise<T> {
    try {
      return (await run()).data;
    } catch (error) {
      throw failure(operation, error);
    }
  }

  return { log, configuration, failure, call };
}

/**
 * Creates the company's webhook key pair at Conekta (POST /webhook_keys): Conekta keeps the private half and signs
 * every webhook with it; store the returned public key to verify the `digest` header.
 */
export async function createConektaWebhookKey(
  options: ConektaGatewayOptions,
): Promise<{ id: string; publicKey: string }> {
  const { configuration, call } = conektaClient(options);
  const keys = new WebhookKeysApi(configuration);
  const key = await call('createWebhookKey', () => keys.createWebhookKey('es', { active: true }));
  if (!key.id || !key.public_key) throw invalidRequest('conekta', CONEKTA_MESSAGES.gateway_error);
  return { id: key.id, publicKey: key.public_key };
}

/** One gateway per company credential set. Every method is safe to retry (see PaymentGateway). */
export function createConektaGateway(options: ConektaGatewayOptions): PaymentGateway {
  const { log, configuration, failure, call } = conektaClient(options);
  const orders = new OrdersApi(configuration);

  /** Our orders among a list: only those whose metadata really carries our purchase id. */
  function ours(list: { data: OrderResponse[] }, purchaseId: string): PaymentOutcome | null {
    return mostRelevant(list.data.filter((o) => o.metadata?.purchase_id === purchaseId).map(conektaOutcome));
  }

  async function findByPurchaseId(purchaseId: string): Promise<PaymentOutcome | null> {
    // No idempotency header in Conekta: search for the purchase id before creating an order.
    return ours(await call('findByPurchaseId', () => orders.getOrders('es', undefined, 50, purchaseId)), purchaseId);
  }

  /**
   * The thorough lookup, for when an earlier attempt provably spent the token: the last hour's orders, filtered
   * here. Does not depend on whether Conekta's `search` covers metadata (unconfirmed).
   */
  async function findRecent(purchaseId: string): Promise<PaymentOutcome | null> {
    const since = Math.floor(Date.now() / 1000) - RECENT_SECONDS;
    const list = await call('findRecent', () =>
      orders.getOrders('es', undefined, 250, undefined, undefined, undefined, undefined, undefined, undefined, since),
    );
    return ours(list, purchaseId);
  }

  async function getStatus(reference: string): Promise<PaymentOutcome> {
    return conektaOutcome(await call('getStatus', () => orders.getOrderById(reference, 'es')));
  }

  async function create(req: ChargeRequest): Promise<PaymentOutcome> {
    const order: OrderRequest = {
      currency: req.currency,
      customer_info: { name: req.customer.name, email: req.customer.email, phone: conektaPhone(req.customer.phone) },
      line_items: [{ name: req.description.slice(0, 250), unit_price: req.amountCents, quantity: 1 }],
      metadata: { ...req.metadata, purchase_id: req.purchaseId },
      charges: [{ payment_method: { type: 'card', token_id: req.cardToken, customer_ip_address: req.clientIp } }],
      ...(req.threeDSecure ? { three_ds_mode: 'smart', return_url: req.returnUrl } : {}),
    };
    try {
      return conektaOutcome((await orders.createOrder(order, 'es')).data);
    } catch (error) {
      const http = httpFailure(error);
      // A card decline is a 402 whose body carries the declined order: an outcome, not a failure.
      if (http?.httpStatus !== 402) throw failure('charge', error);
      const code = http.body.details?.[0]?.code ?? http.body.type;
      // The token was spent by an earlier attempt whose answer we lost: that attempt's order is the result.
      if (code?.endsWith('tokenization.used')) {
        const earlier = (await findByPurchaseId(req.purchaseId)) ?? (await findRecent(req.purchaseId));
        if (earlier) return earlier;
      }
      const declined = http.body.data ? conektaOutcome(http.body.data) : undefined;
      return {
        status: 'declined',
        reference: declined?.reference ?? '',
        gatewayStatus: declined?.gatewayStatus ?? 'declined',
        code,
        message: conektaMessage(code),
        amountCents: req.amountCents,
        currency: req.currency,
      };
    }
  }

  return {
    gateway: 'conekta',
    findByPurchaseId,
    getStatus,

    async charge(req) {
      assertAmountCents('conekta', req.amountCents);
      const earlier = await findByPurchaseId(req.purchaseId);
      const outcome = earlier ?? (await create(req));
      const { reference, status, gatewayStatus, code } = outcome;
      const replayed = earlier !== null;
      log.info({ purchaseId: req.purchaseId, reference, status, gatewayStatus, code, replayed }, 'conekta charge');
      return outcome;
    },

    async refund(reference, amountCents) {
      const current = await getStatus(reference);
      // Already fully refunded (or nothing captured): a retried full refund changes nothing.
      if (amountCents === undefined && refundableCents(current) === 0) return current;
      const amount = amountCents ?? refundableCents(current);
      assertAmountCents('conekta', amount);
      const order = await call('refund', () =>
        orders.orderRefund(reference, { amount, reason: 'requested_by_client' }, 'es'),
      );
      log.info({ reference, amountCents: amount, gatewayStatus: order.payment_status }, 'conekta refund');
      return conektaOutcome(order);
    },

    async cancel(reference) {
      const current = await getStatus(reference);
      if (isCancelledOrDeclined(current)) return current;
      const order = await call('cancel', () => orders.cancelOrder(reference, 'es'));
      log.info({ reference, gatewayStatus: order.payment_status }, 'conekta cancel');
      return conektaOutcome(order);
    },
  };
}
