/**
 * A Conekta API simulator (v2.x, `application/vnd.conekta-v2.3.0+json`) for the real `conekta` SDK: orders with a
 * card charge (create, get, list with the documented filters and cursors), refunds, cancel, webhook keys,
 * `digest`-signed webhooks, and the 3-D Secure page. Each private key is its own account: it sees only its orders.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChargeBook } from '../lib/charge-book';
import { SimClock } from '../lib/clock';
import {
  SimError,
  startGatewaySimulator,
  type ChargeSeed,
  type ChargeSummary,
  type GatewayCore,
  type GatewaySimulator,
  type RefundSummary,
} from '../lib/gateway-simulator';
import {
  bearerToken,
  json,
  NO_ANSWER,
  record,
  route,
  withBearer,
  type Handler,
  type SimRequest,
  type SimResponse,
} from '../lib/http';
import { challengePage, challengeSecret, endPage, formFields, pressed } from '../lib/three-ds';
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
  /** Requests per second per private key before 429 (DEFAULT_RATE_LIMIT_PER_SECOND when absent; null = unlimited). */
  rateLimitPerSecond?: number | null;
}

export interface ConektaSimulator extends GatewaySimulator {
  /** PEM public key matching the key that signs webhook `digest` headers (also served by POST /webhook_keys). */
  publicKeyPem: string;
  /** The full order as the API returns it. */
  order(id: string): ConektaOrder | undefined;
}

/** Conekta's charge-back object (present on a charge only once there is one). */
interface ConektaChargeback {
  id: string;
  object: 'chargeback';
  /** won, lost, action_required, pending_review, under_review, covered, rt, rt_sent, represented. */
  status: string;
  reason: string;
  charge_id: string;
  created_at: number;
  evidence_due_by: number;
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
  chargeback?: ConektaChargeback;
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
  /** The private key that made it: the account that sees it. */
  account: string;
  /** Insertion order: breaks ties between orders created in the same second. */
  seq: number;
  scenario: Scenario | undefined;
  request: unknown;
  /** The value the 3-D Secure page's form carries back (a POST without it is not from that page). */
  challenge?: string;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

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

/**
 * `GET /orders` query parameters, exactly those of Conekta's API reference (`getOrders`): any other is refused, so a
 * client cannot come to rely on a filter Conekta does not have. Dates are Unix seconds with dot notation.
 */
const ORDER_LIST_PARAMETERS = new Set([
  'limit',
  'search',
  'next',
  'previous',
  'payment_status',
  'last_payment_info.status',
  'created_at',
  'created_at.gte',
  'created_at.lte',
  'updated_at.gte',
  'updated_at.lte',
]);
const SECONDS_PARAMETERS = ['created_at', 'created_at.gte', 'created_at.lte', 'updated_at.gte', 'updated_at.lte'];
/** `limit` runs from 1 to 250, 20 by default. */
const MAX_PAGE = 250;
const DEFAULT_PAGE = 20;

/** Charge-back statuses while the dispute is still being decided. */
const OPEN_CHARGEBACK = 'under_review';

export async function startConektaSimulator(options: ConektaSimulatorOptions = {}): Promise<ConektaSimulator> {
  const timing: ScenarioTiming = { slowMs: options.slowMs ?? 1_000, autoSettleMs: options.autoSettleMs };
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const webhooks = new WebhookDispatcher();
  const clock = new SimClock();
  const orders = new ChargeBook<Stored>();
  const tokens = new TokenBook();
  const refunds: RefundSummary[] = [];
  const cancels: string[] = [];
  const timers = new SettleTimers();
  let webhookUrl = options.webhookUrl;
  let baseUrl = '';
  let seq = 0;

  function emit(order: ConektaOrder, previousStatus: string | undefined): void {
    const id = hex(12);
    const type = `order.${order.payment_status}`;
    const body = JSON.stringify({
      id,
      object: 'event',
      type,
      livemode: false,
      created_at: clock.seconds(),
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
    order.updated_at = clock.seconds();
    order.is_refundable = status === 'paid' || status === 'partially_refunded';
    charge.status = status;
    if (status === 'paid') charge.paid_at = order.updated_at;
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

  /** The order `id` as `req`'s account sees it. */
  const own = (req: SimRequest, id: string) => orders.own(id, bearerToken(req));
  const purchaseIdOf = (order: ConektaOrder) => (typeof order.metadata.purchase_id === 'string' ? order.metadata.purchase_id : undefined);
  const save = (stored: Stored) => orders.add(stored.order.id, purchaseIdOf(stored.order), stored);

  /** A new order with one card charge, in status `created` (every path moves it on with transition()). */
  function newOrder(fields: {
    amount: number;
    currency: string;
    customer: Record<string, unknown>;
    items: Array<Record<string, unknown>>;
    metadata: Record<string, unknown>;
    createdAt: number;
  }): ConektaOrder {
    const id = `ord_${randomBytes(12).toString('base64url').slice(0, 17)}`;
    const { amount, currency, customer, items, metadata, createdAt } = fields;
    return {
      id,
      object: 'order',
      livemode: false,
      amount,
      amount_refunded: 0,
      currency,
      payment_status: 'created',
      is_refundable: false,
      customer_info: { object: 'customer_info', ...customer },
      line_items: {
        object: 'list',
        has_more: false,
        total: items.length,
        data: items.map((i) => ({ object: 'line_item', id: `line_item_${hex(8)}`, parent_id: id, ...i })),
      },
      metadata,
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
            currency,
            order_id: id,
            created_at: createdAt,
            payment_method: { object: 'card_payment', type: 'credit', last4: '4242', brand: 'visa', name: String(customer.name) },
            refunds: { object: 'list', has_more: false, total: 0, data: [] },
          },
        ],
      },
      created_at: createdAt,
      updated_at: createdAt,
    };
  }

  async function createOrder(req: SimRequest): Promise<SimResponse | typeof NO_ANSWER> {
    const body = record(req.body);
    const items = Array.isArray(body.line_items) ? body.line_items.map(record) : [];
    const customer = record(body.customer_info);
    const charge = record(Array.isArray(body.charges) ? body.charges[0] : undefined);
    const method = record(charge.payment_method);
    if (typeof body.currency !== 'string' || !/^[A-Z]{3}$/.test(body.currency)) return invalid('currency');
    if (typeof customer.name !== 'string' || !customer.name.trim() || typeof customer.email !== 'string') return invalid('customer_info');
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
    const order = newOrder({
      amount,
      currency: body.currency,
      customer,
      items,
      metadata: record(body.metadata),
      createdAt: clock.seconds(),
    });
    const { id } = order;
    const stored: Stored = { order, account: bearerToken(req) ?? '', seq: ++seq, scenario, request: req.body };
    save(stored);

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
      order.next_action = { type: 'redirect_to_url', redirect_to_url: { url: `${baseUrl}/__sim/3ds/${id}`, return_url: returnUrl } };
      stored.challenge = challengeSecret();
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

  /**
   * `GET /orders`: the account's orders, newest first, with the documented filters only. `search` is the documented
   * "general order search (mail, reference…)": it matches the order id and the customer's email and name, never
   * metadata. Cursors are order ids: `next` lists what comes after that order, `previous` what comes before it.
   */
  function listOrders(req: SimRequest): SimResponse {
    const q = req.query;
    for (const name of q.keys()) if (!ORDER_LIST_PARAMETERS.has(name)) return invalid(name);
    const limit = q.has('limit') ? Number(q.get('limit')) : DEFAULT_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) return invalid('limit');
    const seconds: Record<string, number> = {};
    for (const name of SECONDS_PARAMETERS) {
      if (!q.has(name)) continue;
      const value = Number(q.get(name));
      if (!/^\d+$/.test(q.get(name) ?? '') || !Number.isSafeInteger(value)) return invalid(name);
      seconds[name] = value;
    }
    const cursorId = q.get('next') ?? q.get('previous');
    if (q.has('next') && q.has('previous')) return invalid('previous');
    const cursor = cursorId === null ? undefined : own(req, cursorId);
    if (cursorId !== null && !cursor) return invalid(q.has('next') ? 'next' : 'previous');

    const search = q.get('search')?.toLowerCase();
    const status = q.get('payment_status');
    const chargeStatus = q.get('last_payment_info.status');
    const within = (value: number, name: string) =>
      (seconds[`${name}.gte`] === undefined || value >= seconds[`${name}.gte`]) &&
      (seconds[`${name}.lte`] === undefined || value <= seconds[`${name}.lte`]);
    // Newest first: by creation time, then by the order they were made in.
    const newer = (a: Stored, b: Stored) => b.order.created_at - a.order.created_at || b.seq - a.seq;
    const matches = orders
      .ofAccount(bearerToken(req))
      .filter(({ order: o }) => {
        if (status !== null && o.payment_status !== status) return false;
        if (chargeStatus !== null && o.charges.data[0]?.status !== chargeStatus) return false;
        if (seconds.created_at !== undefined && o.created_at !== seconds.created_at) return false;
        if (!within(o.created_at, 'created_at') || !within(o.updated_at, 'updated_at')) return false;
        if (!search) return true;
        const haystack = [o.id, o.customer_info.email, o.customer_info.name];
        return haystack.some((v) => String(v).toLowerCase().includes(search));
      })
      .sort(newer);

    let page: Stored[];
    let hasMore: boolean;
    if (cursor && q.has('previous')) {
      const before = matches.filter((s) => newer(s, cursor) < 0);
      page = before.slice(-limit);
      hasMore = before.length > limit;
    } else {
      const after = cursor ? matches.filter((s) => newer(s, cursor) > 0) : matches;
      page = after.slice(0, limit);
      hasMore = after.length > limit;
    }
    const pageUrl = (name: 'next' | 'previous', id: string) => {
      const params = new URLSearchParams(q);
      params.delete('next');
      params.delete('previous');
      params.set(name, id);
      return `${baseUrl}/orders?${params.toString()}`;
    };
    const first = page[0]?.order.id;
    const last = page.at(-1)?.order.id;
    return json(200, {
      object: 'list',
      has_more: hasMore,
      next_page_url: last && (hasMore || q.has('previous')) ? pageUrl('next', last) : null,
      previous_page_url: first && cursor ? pageUrl('previous', first) : null,
      data: page.map((s) => s.order),
    });
  }

  /** A refund of `amount` cents (the API's or the dashboard's). */
  function refund(stored: Stored, amount: unknown, source: RefundSummary['source']): SimResponse {
    const { order } = stored;
    if (!order.is_refundable) return precondition('combo.order.is_not_returnable', 'The order can not be returned.');
    const remaining = order.amount - order.amount_refunded;
    if (!Number.isSafeInteger(amount) || Number(amount) <= 0 || Number(amount) > remaining) return invalid('amount');
    const made = { id: hex(12), object: 'refund' as const, amount: -Number(amount), created_at: clock.seconds() };
    const charge = order.charges.data[0];
    charge.refunds.data.push(made);
    charge.refunds.total += 1;
    order.amount_refunded += Number(amount);
    refunds.push({ id: made.id, chargeId: order.id, amountCents: Number(amount), source });
    transition(stored, order.amount_refunded === order.amount ? 'refunded' : 'partially_refunded');
    return json(200, order);
  }

  function refundOrder(req: SimRequest): SimResponse {
    const stored = own(req, req.params[0]);
    return stored ? refund(stored, record(req.body).amount, 'api') : notFound();
  }

  function cancelOrder(req: SimRequest): SimResponse {
    const stored = own(req, req.params[0]);
    if (!stored) return notFound();
    const next = { pending_payment: 'canceled', pre_authorized: 'voided' }[stored.order.payment_status];
    if (!next) return precondition('combo.order.cannot_be_canceled', 'The order can not be canceled.');
    delete stored.order.next_action;
    delete stored.challenge;
    cancels.push(stored.order.id);
    transition(stored, next);
    return json(200, stored.order);
  }

  /** Opens a charge-back on a paid order, or moves an open one to `status`. */
  function chargeBackWith(id: string, status: string): void {
    const stored = find(id);
    const { order } = stored;
    const charge = order.charges.data[0];
    const open = charge.chargeback?.status === OPEN_CHARGEBACK;
    if (!['paid', 'partially_refunded'].includes(order.payment_status) && !open) {
      throw new SimError(409, `order ${id} is not paid`);
    }
    if (open && status === OPEN_CHARGEBACK) throw new SimError(409, `order ${id} is already in dispute`);
    const at = clock.seconds();
    charge.chargeback = {
      id: charge.chargeback?.id ?? `chbk_${hex(8)}`,
      object: 'chargeback',
      status,
      reason: 'fraudulent',
      charge_id: charge.id,
      created_at: charge.chargeback?.created_at ?? at,
      evidence_due_by: charge.chargeback?.evidence_due_by ?? at + 7 * 86_400,
    };
    transition(stored, 'charged_back');
  }

  const summary = ({ order, account, scenario, request }: Stored): ChargeSummary => ({
    id: order.id,
    account,
    purchaseId: purchaseIdOf(order),
    amountCents: order.amount,
    currency: order.currency,
    status: order.payment_status,
    scenario,
    request,
  });

  const core: GatewayCore = {
    chargesFor: (purchaseId) => orders.ofPurchase(purchaseId).map(summary),
    charges: () => orders.all().map(summary),
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
      delete stored.challenge;
      if (outcome === 'approved') transition(stored, 'paid');
      else transition(stored, 'declined', THREE_DS_DECLINE);
      return action.redirect_to_url.return_url;
    },
    chargeBack: (id) => chargeBackWith(id, 'lost'),
    dispute: (id) => chargeBackWith(id, OPEN_CHARGEBACK),
    refundFromDashboard(id, amountCents) {
      const stored = find(id);
      const answer = refund(stored, amountCents ?? stored.order.amount - stored.order.amount_refunded, 'dashboard');
      if (answer.status !== 200) throw new SimError(409, `order ${id} cannot be refunded (${stored.order.payment_status})`);
    },
    addCharge(seed: ChargeSeed) {
      const createdAt = Math.floor(new Date(seed.createdAt ?? clock.now()).getTime() / 1000);
      const metadata = { ...seed.metadata, ...(seed.purchaseId ? { purchase_id: seed.purchaseId } : {}) };
      const order = newOrder({
        amount: seed.amountCents,
        currency: seed.currency ?? 'MXN',
        customer: { name: 'Cliente', email: 'cliente@example.com', phone: '+525500000000' },
        items: [{ name: 'Cargo', unit_price: seed.amountCents, quantity: 1 }],
        metadata,
        createdAt,
      });
      const status = { approved: 'paid', pending: 'pending_payment', declined: 'declined' }[seed.status ?? 'approved'];
      order.payment_status = status;
      order.charges.data[0].status = status;
      order.is_refundable = status === 'paid';
      if (status === 'paid') order.charges.data[0].paid_at = createdAt;
      const stored: Stored = { order, account: seed.account, seq: ++seq, scenario: undefined, request: undefined };
      save(stored);
      return summary(stored);
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

  /**
   * The 3-D Secure page an order's `next_action.redirect_to_url.url` points at: opened by the browser (a redirect or
   * a frame), it completes only through its own form, for an order still waiting for it.
   */
  function challengeOf(id: string): Stored {
    const stored = find(id);
    if (stored.order.payment_status !== 'pending_payment' || !stored.order.next_action || !stored.challenge) {
      throw new SimError(409, `order ${id} has no 3-D Secure challenge`);
    }
    return stored;
  }
  const threeDsRoutes = [
    route('GET', /^\/__sim\/3ds\/([^/]+)$/, (req) => {
      const stored = challengeOf(req.params[0]);
      return challengePage(`/__sim/3ds/${stored.order.id}`, { challenge: stored.challenge! }, stored.order.id);
    }),
    route('POST', /^\/__sim\/3ds\/([^/]+)$/, (req) => {
      const fields = formFields(req);
      const stored = challengeOf(req.params[0]);
      if (fields.challenge !== stored.challenge) throw new SimError(403, 'this challenge was not opened from its page');
      const returnUrl = core.completeThreeDs(stored.order.id, pressed(fields));
      return returnUrl ? { status: 303, headers: { location: returnUrl } } : endPage('Verificación terminada');
    }),
  ];

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
    rateLimitPerSecond: options.rateLimitPerSecond,
    core,
    clock,
    webhooks,
    timers,
    browserRoutes: [...conektaTokenizerRoutes(), ...threeDsRoutes],
    outageBody: {
      object: 'error',
      type: 'api_error',
      details: [{ code: 'conekta.errors.api.system.unavailable', message: 'Servicio no disponible.' }],
    },
    rateLimitedBody: {
      object: 'error',
      type: 'api_error',
      details: [{ code: 'conekta.errors.api.rate_limit_exceeded', message: 'Demasiadas solicitudes.' }],
    },
    routes: [
      api('POST', /^\/orders$/, createOrder),
      api('GET', /^\/orders$/, listOrders),
      api('GET', /^\/orders\/([^/]+)$/, (req) => {
        const stored = own(req, req.params[0]);
        return stored ? json(200, stored.order) : notFound();
      }),
      api('POST', /^\/orders\/([^/]+)\/refunds$/, refundOrder),
      api('POST', /^\/orders\/([^/]+)\/cancel$/, cancelOrder),
      // Conekta keeps the private half and signs every webhook with it; the merchant stores the public half.
      api('POST', /^\/webhook_keys$/, () => {
        const key = { id: `webhk_${hex(8)}`, object: 'webhook_key', active: true, livemode: false, created_at: clock.seconds() };
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

/** Conekta's `digest` header: RSA-SHA256 over the raw body, base64, as Conekta signs its webhooks. */
function digest(body: string, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(body, 'utf8'), privateKey).toString('base64');
}
