/**
 * A Conekta API simulator (v2.x, `application/vnd.conekta-v2.3.0+json`) for the real `conekta` SDK: orders with a
 * card charge (create, get, search), refunds, cancel, webhook keys, and `digest`-signed webhooks.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  SimError,
  startGatewaySimulator,
  type ChargeSummary,
  type GatewayCore,
  type GatewaySimulator,
  type RefundSummary,
} from '../lib/gateway-simulator';
import {
  json,
  NO_ANSWER,
  record,
  route,
  withBearer,
  type Handler,
  type SimRequest,
  type SimResponse,
} from '../lib/http';
import {
  isDeclineReason,
  scenarioOf,
  SettleTimers,
  TokenBook,
  type Scenario,
  type ScenarioTiming,
  type Settlement,
} from '../lib/scenarios';
import { WebhookDispatcher } from '../lib/webhooks';
import { conektaTokenizerRoutes } from './tokenizer';
import { CONEKTA_DECLINES, THREE_DS_DECLINE, TOKEN_INVALID, TOKEN_USED } from './scenarios';

export interface ConektaSimulatorOptions extends Partial<ScenarioTiming> {
  port?: number;
  /** Where order events are POSTed (Conekta's dashboard webhook). */
  webhookUrl?: string;
  latencyMs?: number;
  /** When set, any other private key gets 401. */
  privateKey?: string;
  /**
   * Whether `GET /orders?search=` matches metadata values (default true). Whether Conekta's does is unconfirmed, so
   * tests can check that the adapter stays exactly-once without it.
   */
  searchMetadata?: boolean;
}

export interface ConektaSimulator extends GatewaySimulator {
  /** PEM public key matching the key that signs webhook `digest` headers (also served by POST /webhook_keys). */
  publicKeyPem: string;
  /** The full order as the API returns it. */
  order(id: string): ConektaOrder | undefined;
}

interface ConektaCharge {
  id: string;
  object: 'charge';
  livemode: false;
  status: string;
  amount: number;
  currency: string;
  order_id: string;
  created_at: number;
  paid_at?: number;
  failure_code?: string;
  failure_message?: string;
  payment_method: { object: 'card_payment'; type: 'credit'; last4: string; brand: string; name: string };
  refunds: { object: 'list'; has_more: false; total: number; data: ConektaRefund[] };
}

interface ConektaRefund {
  id: string;
  object: 'refund';
  /** Negative, as Conekta lists refunds. */
  amount: number;
  created_at: number;
}

export interface ConektaOrder {
  id: string;
  object: 'order';
  livemode: false;
  amount: number;
  amount_refunded: number;
  currency: string;
  payment_status: string;
  is_refundable: boolean;
  customer_info: Record<string, unknown>;
  line_items: { object: 'list'; has_more: false; total: number; data: unknown[] };
  metadata: Record<string, unknown>;
  charges: { object: 'list'; has_more: false; total: number; data: ConektaCharge[] };
  next_action?: { type: 'redirect_to_url'; redirect_to_url: { url: string; return_url?: string } };
  created_at: number;
  updated_at: number;
}

interface Stored {
  order: ConektaOrder;
  scenario: Scenario;
  request: unknown;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const now = () => Math.floor(Date.now() / 1000);

interface ErrorDetail {
  code: string;
  message: string;
  debug: string;
}

function conektaError(status: number, type: string, detail: ErrorDetail, extra: object = {}): SimResponse {
  return json(status, {
    object: 'error',
    type,
    log_id: hex(12),
    details: [{ code: detail.code, message: detail.message, debug_message: detail.debug, param: null }],
    ...extra,
  });
}

const invalid = (param: string) =>
  conektaError(422, 'parameter_validation_error', {
    code: `conekta.errors.parameter_validation.${param}`,
    message: `El parámetro ${param} es inválido.`,
    debug: `Invalid or missing parameter: ${param}.`,
  });

const notFound = () =>
  conektaError(404, 'resource_not_found_error', {
    code: 'conekta.errors.resource_not_found.entity',
    message: 'El recurso no ha sido encontrado.',
    debug: 'The resource was not found.',
  });

const precondition = (code: string, message: string) =>
  conektaError(428, 'precondition_required_error', {
    code: `conekta.errors.precondition_required.${code}`,
    message,
    debug: message,
  });

const apiError = (status: number, code: string, message: string) =>
  conektaError(status, 'api_error', {
    code: `conekta.errors.api.system.${code}`,
    message,
    debug: 'Simulated failure.',
  });

export async function startConektaSimulator(options: ConektaSimulatorOptions = {}): Promise<ConektaSimulator> {
  const timing: ScenarioTiming = { slowMs: options.slowMs ?? 1_000, autoSettleMs: options.autoSettleMs };
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const webhooks = new WebhookDispatcher();
  const orders = new Map<string, Stored>();
  const tokens = new TokenBook();
  const refunds: RefundSummary[] = [];
  const cancels: string[] = [];
  const timers = new SettleTimers();
  let webhookUrl = options.webhookUrl;
  let baseUrl = '';

  function emit(order: ConektaOrder, previousStatus: string | undefined): void {
    const id = hex(12);
    const type = `order.${order.payment_status}`;
    const body = JSON.stringify({
      id,
      object: 'event',
      type,
      livemode: false,
      created_at: now(),
      data: { object: order, previous_attributes: previousStatus ? { payment_status: previousStatus } : {} },
      webhook_status: 'pending',
      webhook_logs: [],
    });
    const headers = () => ({ digest: digest(body, privateKey) });
    webhooks.enqueue({ eventId: id, type, url: webhookUrl, body, headers });
  }

  function transition(stored: Stored, status: string, failure?: { code: string; message: string }): void {
    const { order } = stored;
    const previous = order.payment_status;
    const charge = order.charges.data[0];
    order.payment_status = status;
    order.updated_at = now();
    order.is_refundable = status === 'paid' || status === 'partially_refunded';
    charge.status = status;
    if (status === 'paid') charge.paid_at = now();
    if (failure) {
      charge.failure_code = failure.code;
      charge.failure_message = failure.message;
    }
    emit(order, previous);
  }

  function find(id: string): Stored {
    const stored = orders.get(id);
    if (!stored) throw new SimError(404, `no order ${id}`);
    return stored;
  }

  async function createOrder(req: SimRequest): Promise<SimResponse | typeof NO_ANSWER> {
    const body = record(req.body);
    const items = Array.isArray(body.line_items) ? body.line_items.map(record) : [];
    const customer = record(body.customer_info);
    const charge = record(Array.isArray(body.charges) ? body.charges[0] : undefined);
    const method = record(charge.payment_method);
    if (typeof body.currency !== 'string' || !/^[A-Z]{3}$/.test(body.currency)) return invalid('currency');
    if (typeof customer.name !== 'string' || typeof customer.email !== 'string') return invalid('customer_info');
    // Integer cents only: the original's 19.99 → 1998.99… float would be refused here.
    const positiveInteger = (v: unknown) => Number.isSafeInteger(v) && Number(v) > 0;
    const validItem = (i: Record<string, unknown>) =>
      typeof i.name === 'string' && positiveInteger(i.unit_price) && positiveInteger(i.quantity);
    if (items.length === 0 || !items.every(validItem)) return invalid('line_items');
    if (method.type !== 'card' || typeof method.token_id !== 'string') return invalid('charges.payment_method');

    const token = method.token_id;
    const scenario = scenarioOf(token);
    if (!scenario) return conektaError(402, 'processing_error', TOKEN_INVALID);
    if (tokens.isUsed(token)) return conektaError(402, 'processing_error', TOKEN_USED);
    if (scenario === 'error') return apiError(500, 'general_failure', 'Error interno.');
    if (scenario === 'flaky' && tokens.failsNow(token)) return apiError(503, 'unavailable', 'Servicio no disponible.');
    if (scenario === 'slow') await sleep(timing.slowMs);
    tokens.use(token);

    const amount = items.reduce((sum, i) => sum + Number(i.unit_price) * Number(i.quantity), 0);
    const id = `ord_${randomBytes(12).toString('base64url').slice(0, 17)}`;
    const created = now();
    const order: ConektaOrder = {
      id,
      object: 'order',
      livemode: false,
      amount,
      amount_refunded: 0,
      currency: body.currency,
      payment_status: 'created',
      is_refundable: false,
      customer_info: { object: 'customer_info', ...customer },
      line_items: {
        object: 'list',
        has_more: false,
        total: items.length,
        data: items.map((i) => ({ object: 'line_item', id: `line_item_${hex(8)}`, parent_id: id, ...i })),
      },
      metadata: record(body.metadata),
      charges: {
        object: 'list',
        has_more: false,
        total: 1,
        data: [
          {
            id: hex(12),
            object: 'charge',
            livemode: false,
            status: 'created',
            amount,
            currency: body.currency,
            order_id: id,
            created_at: created,
            payment_method: {
              object: 'card_payment',
              type: 'credit',
              last4: '4242',
              brand: 'visa',
              name: String(customer.name),
            },
            refunds: { object: 'list', has_more: false, total: 0, data: [] },
          },
        ],
      },
      created_at: created,
      updated_at: created,
    };
    const stored: Stored = { order, scenario, request: req.body };
    orders.set(id, stored);

    const decline = isDeclineReason(scenario) ? CONEKTA_DECLINES[scenario] : undefined;
    const wantsThreeDs = typeof body.three_ds_mode === 'string';
    if (decline || (scenario === '3ds' && !wantsThreeDs)) {
      const reason = decline ?? THREE_DS_DECLINE;
      transition(stored, 'declined', reason);
      // A declined card is a 402 whose body still carries the order it created.
      return conektaError(402, 'processing_error', reason, { data: order });
    }
    if (scenario === '3ds') {
      const returnUrl = typeof body.return_url === 'string' ? body.return_url : undefined;
      const page = `${baseUrl}/__sim/3ds/${id}`;
      order.next_action = { type: 'redirect_to_url', redirect_to_url: { url: page, return_url: returnUrl } };
      transition(stored, 'pending_payment');
    } else if (scenario === 'pending_approve' || scenario === 'pending_reject') {
      transition(stored, 'pending_payment');
      if (timing.autoSettleMs !== undefined) {
        const outcome = scenario === 'pending_approve' ? 'approved' : 'declined';
        timers.after(timing.autoSettleMs, () => {
          if (order.payment_status === 'pending_payment') core.settle(id, outcome);
        });
      }
    } else {
      transition(stored, 'paid');
    }
    // `timeout`: the order exists, the answer never comes (a lost response; a retry must find the order).
    return scenario === 'timeout' ? NO_ANSWER : json(200, order);
  }

  function searchOrders(req: SimRequest): SimResponse {
    const search = req.query.get('search')?.toLowerCase();
    const status = req.query.get('payment_status');
    const since = Number(req.query.get('created_at.gte') ?? 0);
    const metadata = (o: ConektaOrder) => (options.searchMetadata === false ? [] : Object.values(o.metadata));
    const limit = Math.min(Number(req.query.get('limit') ?? 20) || 20, 250);
    const matches = [...orders.values()]
      .map((s) => s.order)
      .filter((o) => (status === null || o.payment_status === status) && o.created_at >= since)
      .filter((o) => {
        if (!search) return true;
        const haystack = [o.id, ...metadata(o), o.customer_info.email, o.customer_info.name];
        return haystack.some((v) => String(v).toLowerCase().includes(search));
      })
      .reverse();
    return json(200, { object: 'list', has_more: matches.length > limit, data: matches.slice(0, limit) });
  }

  function refundOrder(req: SimRequest): SimResponse {
    const stored = orders.get(req.params[0]);
    if (!stored) return notFound();
    const { order } = stored;
    const amount = record(req.body).amount;
    if (!order.is_refundable) return precondition('combo.order.is_not_returnable', 'The order can not be returned.');
    const remaining = order.amount - order.amount_refunded;
    if (!Number.isSafeInteger(amount) || Number(amount) <= 0 || Number(amount) > remaining) return invalid('amount');
    const refund = { id: hex(12), object: 'refund' as const, amount: -Number(amount), created_at: now() };
    const charge = order.charges.data[0];
    charge.refunds.data.push(refund);
    charge.refunds.total += 1;
    order.amount_refunded += Number(amount);
    refunds.push({ id: refund.id, chargeId: order.id, amountCents: Number(amount) });
    transition(stored, order.amount_refunded === order.amount ? 'refunded' : 'partially_refunded');
    return json(200, order);
  }

  function cancelOrder(req: SimRequest): SimResponse {
    const stored = orders.get(req.params[0]);
    if (!stored) return notFound();
    const next = { pending_payment: 'canceled', pre_authorized: 'voided' }[stored.order.payment_status];
    if (!next) return precondition('combo.order.cannot_be_canceled', 'The order can not be canceled.');
    delete stored.order.next_action;
    cancels.push(stored.order.id);
    transition(stored, next);
    return json(200, stored.order);
  }

  const core: GatewayCore = {
    charges: () =>
      [...orders.values()].map(
        ({ order, scenario, request }): ChargeSummary => ({
          id: order.id,
          purchaseId: typeof order.metadata.purchase_id === 'string' ? order.metadata.purchase_id : undefined,
          amountCents: order.amount,
          currency: order.currency,
          status: order.payment_status,
          scenario,
          request,
        }),
      ),
    settle(id, outcome: Settlement) {
      const stored = find(id);
      if (stored.order.payment_status !== 'pending_payment' || stored.order.next_action) {
        throw new SimError(409, `order ${id} is not pending review`);
      }
      if (outcome === 'approved') transition(stored, 'paid');
      else transition(stored, 'declined', CONEKTA_DECLINES.fraud);
    },
    completeThreeDs(id, outcome: Settlement) {
      const stored = find(id);
      const action = stored.order.next_action;
      if (stored.order.payment_status !== 'pending_payment' || !action) {
        throw new SimError(409, `order ${id} has no 3-D Secure challenge`);
      }
      delete stored.order.next_action;
      if (outcome === 'approved') transition(stored, 'paid');
      else transition(stored, 'declined', THREE_DS_DECLINE);
      return action.redirect_to_url.return_url;
    },
    chargeBack(id) {
      const stored = find(id);
      if (stored.order.payment_status !== 'paid') throw new SimError(409, `order ${id} is not paid`);
      transition(stored, 'charged_back');
    },
    refunds: () => [...refunds],
    cancels: () => [...cancels],
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    reset() {
      timers.clear();
      orders.clear();
      tokens.clear();
      refunds.length = 0;
      cancels.length = 0;
    },
  };

  const unauthorized = conektaError(401, 'authentication_error', {
    code: 'conekta.errors.authentication.invalid_api_key',
    message: 'Acceso no autorizado.',
    debug: 'Unrecognized access key.',
  });
  const api = (method: string, path: RegExp, handler: Handler) =>
    route(method, path, withBearer(options.privateKey, unauthorized, handler));

  const sim = await startGatewaySimulator({
    port: options.port,
    latencyMs: options.latencyMs,
    core,
    webhooks,
    timers,
    browserRoutes: conektaTokenizerRoutes(),
    outageBody: {
      object: 'error',
      type: 'api_error',
      details: [{ code: 'conekta.errors.api.system.unavailable', message: 'Servicio no disponible.' }],
    },
    routes: [
      api('POST', /^\/orders$/, createOrder),
      api('GET', /^\/orders$/, searchOrders),
      api('GET', /^\/orders\/([^/]+)$/, (req) => {
        const stored = orders.get(req.params[0]);
        return stored ? json(200, stored.order) : notFound();
      }),
      api('POST', /^\/orders\/([^/]+)\/refunds$/, refundOrder),
      api('POST', /^\/orders\/([^/]+)\/cancel$/, cancelOrder),
      // Conekta keeps the private half and signs every webhook with it; the merchant stores the public half.
      api('POST', /^\/webhook_keys$/, () => {
        const key = { id: `webhk_${hex(8)}`, object: 'webhook_key', active: true, livemode: false, created_at: now() };
        return json(200, { ...key, public_key: publicKeyPem });
      }),
    ],
  });
  baseUrl = sim.url;

  return {
    ...sim,
    publicKeyPem,
    order: (id) => orders.get(id)?.order,
  };
}

/** Conekta's `digest` header: RSA-SHA256 over the raw body, base64 (tech-notes §5.3). */
function digest(body: string, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(body, 'utf8'), privateKey).toString('base64');
}
