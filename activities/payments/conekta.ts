/**
 * Conekta adapter (the only file that imports the `conekta` SDK). Orders with one card charge, in exact integer
 * cents; our purchase id in `metadata.purchase_id`. Conekta has no idempotency key: a charge is made once because its
 * card token is single use, and an order is found again only through documented list filters (creation and update
 * time windows, cursors), matching our metadata here, never through `search`, which is not documented to cover it.
 */
import https from 'node:https';
import { Configuration, OrdersApi, WebhookKeysApi, type GetOrdersResponse, type OrderRequest, type OrderResponse } from 'conekta';
import type { PaymentOutcome } from '../../domain/payment';
import type { Logger } from '../../shared/logger';
import { createLogger } from '../../shared/logger';
import {
  assertAmountCents,
  assertConfigured,
  chargesSince,
  decodeCursor,
  encodeCursor,
  gatewayFailure,
  invalidRequest,
  isCancelledOrDeclined,
  mostRelevant,
  refundableCents,
  retryAfterSeconds,
  searchWindow,
  waitingOutRateLimits,
  type ChargeRequest,
  type PaymentGateway,
} from './gateway';
import { conektaOutcome, conektaRecord } from './conekta-orders';
import { CONEKTA_MESSAGES, conektaMessage } from './messages';

export interface ConektaGatewayOptions {
  /** The company's private key (or CONEKTA_DEFAULT_PRIVATE_KEY); sent as a bearer token, never logged. */
  privateKey: string;
  /** CONEKTA_API_BASE_URL: https://api.conekta.io, or a simulator. */
  baseUrl: string;
  timeoutMs: number;
  logger?: Logger;
}

/** Orders per list page: the most `GET /orders` gives (`limit` runs from 1 to 250). */
const PAGE_SIZE = 250;

/** The Conekta error envelope (`{object:'error', type, details:[{code,message}]}`), plus the order a decline made. */
interface ConektaErrorBody {
  type?: string;
  details?: Array<{ code?: string }>;
  data?: OrderResponse;
}

interface HttpFailure {
  httpStatus: number | undefined;
  body: ConektaErrorBody;
  retryAfterSeconds?: number;
}

/** The SDK throws axios errors; read them by shape (axios is the SDK's dependency, not ours). */
function httpFailure(error: unknown): HttpFailure | undefined {
  const e = error as { isAxiosError?: boolean; response?: { status?: number; data?: unknown; headers?: Record<string, unknown> } };
  if (e?.isAxiosError !== true) return undefined;
  const data = e.response?.data;
  const body = typeof data === 'object' && data !== null ? (data as ConektaErrorBody) : {};
  return { httpStatus: e.response?.status, body, retryAfterSeconds: retryAfterSeconds(e.response?.headers?.['retry-after']) };
}

/** Conekta requires a phone: a Mexican number as +52…, or a placeholder when the portal collected none. */
function conektaPhone(phone: string | undefined): string {
  const digits = (phone ?? '').replace(/\D/g, '');
  if (digits.length === 12 && digits.startsWith('52')) return `+${digits}`;
  if (digits.length === 10) return `+52${digits}`;
  return '+521234567890';
}

/** The order of one charge: one card charge in exact cents, our purchase id in its metadata, 3-D Secure when asked. */
function orderRequest(req: ChargeRequest): OrderRequest {
  return {
    currency: req.currency,
    // Conekta needs a name; portals may send none, and the e-mail names the customer as well.
    customer_info: { name: req.customer.name || req.customer.email, email: req.customer.email, phone: conektaPhone(req.customer.phone) },
    line_items: [{ name: req.description.slice(0, 250), unit_price: req.amountCents, quantity: 1 }],
    metadata: { ...req.metadata, purchase_id: req.purchaseId },
    charges: [{ payment_method: { type: 'card', token_id: req.cardToken, customer_ip_address: req.clientIp } }],
    ...(req.threeDSecure ? { three_ds_mode: 'smart', return_url: req.returnUrl } : {}),
  };
}

/** A card declined (a 402): the declined order Conekta sent with it, else a decline with the error's code. */
function declinedOutcome(req: ChargeRequest, body: ConektaErrorBody, code: string | undefined): PaymentOutcome {
  const declined = body.data ? conektaOutcome(body.data) : undefined;
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
    // The SDK's default agent has rejectUnauthorized: false, which would send the key to anyone; ours verifies.
    baseOptions: {
      httpsAgent: new https.Agent({ rejectUnauthorized: true, keepAlive: true }),
      timeout: options.timeoutMs,
    },
  });

  function failure(operation: string, error: unknown): Error {
    const http = httpFailure(error);
    if (!http) return error instanceof Error ? error : new Error(String(error));
    const gatewayCode = http.body.details?.[0]?.code ?? http.body.type;
    const failed = gatewayFailure('conekta', http.httpStatus, gatewayCode, conektaMessage(gatewayCode), http.retryAfterSeconds);
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

  /** A list call (a read): waits out the rate limit. */
  function list(operation: string, run: () => Promise<{ data: GetOrdersResponse }>): Promise<GetOrdersResponse> {
    return waitingOutRateLimits(() => call(operation, run));
  }

  /**
   * The charge made for our purchase id: every order created since the purchase row was (minus the clocks' margin),
   * newest first, page after page, keeping those whose metadata carries the id.
   */
  async function findByPurchaseId(purchaseId: string, purchaseCreatedAt: Date): Promise<PaymentOutcome | null> {
    const since = Math.floor(chargesSince(purchaseCreatedAt).getTime() / 1000);
    const found: PaymentOutcome[] = [];
    let next: string | undefined;
    do {
      const cursor = next;
      const page = await list('findByPurchaseId', () =>
        orders.getOrders('es', undefined, PAGE_SIZE, undefined, cursor, undefined, undefined, undefined, undefined, since),
      );
      found.push(...page.data.filter((o) => o.metadata?.purchase_id === purchaseId).map(conektaOutcome));
      next = page.has_more ? page.data.at(-1)?.id : undefined;
    } while (next);
    return mostRelevant(found);
  }

  async function getStatus(reference: string): Promise<PaymentOutcome> {
    return conektaOutcome(await waitingOutRateLimits(() => call('getStatus', () => orders.getOrderById(reference, 'es'))));
  }

  async function create(req: ChargeRequest): Promise<PaymentOutcome> {
    try {
      return conektaOutcome((await orders.createOrder(orderRequest(req), 'es')).data);
    } catch (error) {
      const http = httpFailure(error);
      // A card decline is a 402 whose body carries the declined order: an outcome, not a failure.
      if (http?.httpStatus !== 402) throw failure('charge', error);
      const code = http.body.details?.[0]?.code ?? http.body.type;
      // The token was spent: by an earlier attempt whose answer we lost (its order is the result), or by another
      // purchase (then no order of ours exists, and this is a decline).
      if (code?.endsWith('tokenization.used')) {
        const earlier = await findByPurchaseId(req.purchaseId, req.purchaseCreatedAt);
        if (earlier) {
          log.info({ purchaseId: req.purchaseId, reference: earlier.reference }, 'conekta charge found after a lost answer');
          return earlier;
        }
      }
      return declinedOutcome(req, http.body, code);
    }
  }

  return {
    gateway: 'conekta',
    findByPurchaseId,
    getStatus,

    async charge(req) {
      assertAmountCents('conekta', req.amountCents);
      const outcome = await create(req);
      const { reference, status, gatewayStatus, code } = outcome;
      log.info({ purchaseId: req.purchaseId, reference, status, gatewayStatus, code }, 'conekta charge');
      return outcome;
    },

    async searchPayments(search) {
      const { from, to } = searchWindow('conekta', search);
      const { next } = search.cursor ? decodeCursor<{ next?: string }>('conekta', search.cursor) : { next: undefined };
      const [updatedFrom, updatedTo] = [Math.floor(from / 1000), Math.ceil(to / 1000)];
      const page = await list('searchPayments', () =>
        orders.getOrders('es', undefined, PAGE_SIZE, undefined, next, undefined, undefined, undefined, undefined, undefined, undefined, updatedFrom, updatedTo),
      );
      const last = page.data.at(-1)?.id;
      return {
        items: page.data.map(conektaRecord),
        ...(page.has_more && last ? { nextCursor: encodeCursor({ next: last }) } : {}),
      };
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
