/**
 * A Mercado Pago Payments API simulator for the real `mercadopago` SDK: create (honouring `X-Idempotency-Key`),
 * get, search, refunds, cancel, and webhooks signed the way Mercado Pago signs them (`x-signature`, `x-request-id`).
 */
import { createHmac, randomUUID } from 'node:crypto';
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
  header,
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
import { idSequence } from '../lib/ids';
import { WebhookDispatcher } from '../lib/webhooks';
import { mercadoPagoSdkRoutes } from './sdk';
import { MERCADO_PAGO_DECLINES, PENDING_DETAILS, THREE_DS_NOT_REQUESTED, THREE_DS_REJECTED } from './scenarios';

export interface MercadoPagoSimulatorOptions extends Partial<ScenarioTiming> {
  port?: number;
  /** Account-level webhook URL, used when a payment has no `notification_url`. */
  webhookUrl?: string;
  /** The secret that signs `x-signature` (Your integrations → Webhooks → secret key). */
  webhookSecret?: string;
  latencyMs?: number;
  /** When set, any other access token gets 401. */
  accessToken?: string;
}

export interface MercadoPagoSimulator extends GatewaySimulator {
  webhookSecret: string;
  /** The full payment as the API returns it. */
  payment(id: string): MercadoPagoPayment | undefined;
}

export interface MercadoPagoPayment {
  id: number;
  status: string;
  status_detail: string;
  transaction_amount: number;
  transaction_amount_refunded: number;
  currency_id: string;
  description?: string;
  external_reference?: string;
  notification_url?: string;
  payment_method_id?: string;
  payment_type_id: 'credit_card';
  installments?: number;
  issuer_id?: string;
  binary_mode: boolean;
  captured: boolean;
  live_mode: false;
  payer: Record<string, unknown>;
  metadata: Record<string, unknown>;
  three_ds_info?: { external_resource_url: string; creq: string };
  refunds: unknown[];
  date_created: string;
  date_approved: string | null;
  date_last_updated: string;
}

interface Stored {
  payment: MercadoPagoPayment;
  amountCents: number;
  scenario: Scenario;
  request: unknown;
}

const DEFAULT_WEBHOOK_SECRET = 'sandbox-mercadopago-webhook-secret';
const MONEY = /^\d{1,12}(\.\d{1,2})?$/;

/** Exact cents of a JSON amount (19.99 → 1999), or undefined when it has more than two decimals. */
function cents(amount: unknown): number | undefined {
  if (typeof amount !== 'number' || amount <= 0 || !MONEY.test(String(amount))) return undefined;
  const [units, fraction = ''] = String(amount).split('.');
  return Number(units) * 100 + Number(fraction.padEnd(2, '0'));
}

/** Cents as the JSON number Mercado Pago uses (1999 → 19.99). */
const major = (amountCents: number) =>
  Number(`${Math.floor(amountCents / 100)}.${String(amountCents % 100).padStart(2, '0')}`);

type Cause = { code: number; description: string };

function mpError(status: number, error: string, message: string, cause: Cause[] = []): SimResponse {
  return json(status, { message, error, status, cause });
}

const badRequest = (code: number, description: string) =>
  mpError(400, 'bad_request', description, [{ code, description }]);
const notFound = () =>
  mpError(404, 'not_found', 'Payment not found', [{ code: 2000, description: 'Payment not found' }]);

export async function startMercadoPagoSimulator(
  options: MercadoPagoSimulatorOptions = {},
): Promise<MercadoPagoSimulator> {
  const timing: ScenarioTiming = { slowMs: options.slowMs ?? 1_000, autoSettleMs: options.autoSettleMs };
  const webhookSecret = options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET;
  const webhooks = new WebhookDispatcher();
  const payments = new Map<number, Stored>();
  /** X-Idempotency-Key → what the first request with that key produced (a payment id, or a refund). */
  const idempotent = new Map<string, unknown>();
  const tokens = new TokenBook();
  const refunds: RefundSummary[] = [];
  const cancels: string[] = [];
  const timers = new SettleTimers();
  let webhookUrl = options.webhookUrl;
  let baseUrl = '';
  const nextPaymentId = idSequence();
  const nextNotificationId = idSequence();
  const nextRefundId = idSequence();

  function notify(payment: MercadoPagoPayment, action: 'payment.created' | 'payment.updated'): void {
    const target = payment.notification_url ?? webhookUrl;
    const dataId = String(payment.id);
    const eventId = String(nextNotificationId());
    const body = JSON.stringify({
      id: Number(eventId),
      live_mode: false,
      type: 'payment',
      date_created: new Date().toISOString(),
      user_id: 123456789,
      api_version: 'v1',
      action,
      data: { id: dataId },
    });
    const url = target ? `${target}${target.includes('?') ? '&' : '?'}data.id=${dataId}&type=payment` : undefined;
    webhooks.enqueue({ eventId, type: action, url, body, headers: () => signature(dataId, webhookSecret) });
  }

  function update(stored: Stored, status: string, detail: string): void {
    const { payment } = stored;
    payment.status = status;
    payment.status_detail = detail;
    payment.date_last_updated = new Date().toISOString();
    if (status === 'approved' && !payment.date_approved) payment.date_approved = payment.date_last_updated;
    notify(payment, 'payment.updated');
  }

  function find(id: string): Stored {
    const stored = payments.get(Number(id));
    if (!stored) throw new SimError(404, `no payment ${id}`);
    return stored;
  }

  async function createPayment(req: SimRequest): Promise<SimResponse | typeof NO_ANSWER> {
    const key = header(req.headers, 'x-idempotency-key');
    if (!key) return badRequest(400, 'Header X-Idempotency-Key is required');
    // Same X-Idempotency-Key → the same payment, as Mercado Pago does: checked first, before the (spent) token.
    const earlier = idempotent.get(`payment:${key}`);
    const again = typeof earlier === 'number' ? payments.get(earlier) : undefined;
    if (again) return json(201, again.payment);
    const body = record(req.body);
    const amountCents = cents(body.transaction_amount);
    const payer = record(body.payer);
    if (amountCents === undefined) return badRequest(4037, 'Invalid transaction_amount');
    if (typeof body.payment_method_id !== 'string') return badRequest(4020, 'payment_method_id is required');
    const installments = Number(body.installments);
    if (!Number.isSafeInteger(installments) || installments < 1) return badRequest(4021, 'Invalid installments');
    if (typeof payer.email !== 'string') return badRequest(4050, 'payer.email must be a valid email');

    const token = typeof body.token === 'string' ? body.token : '';
    const scenario = scenarioOf(token);
    // Tokens are single use: once consumed Mercado Pago no longer knows them.
    if (!scenario || tokens.isUsed(token)) return badRequest(2006, 'Card Token not found');
    if (scenario === 'error') return mpError(500, 'internal_error', 'Internal server error');
    if (scenario === 'flaky' && tokens.failsNow(token)) {
      return mpError(503, 'service_unavailable', 'Service unavailable');
    }
    if (scenario === 'slow') await sleep(timing.slowMs);
    tokens.use(token);

    const id = nextPaymentId();
    const created = new Date().toISOString();
    const payment: MercadoPagoPayment = {
      id,
      status: 'approved',
      status_detail: 'accredited',
      transaction_amount: body.transaction_amount as number,
      transaction_amount_refunded: 0,
      currency_id: 'MXN',
      description: typeof body.description === 'string' ? body.description : undefined,
      external_reference: typeof body.external_reference === 'string' ? body.external_reference : undefined,
      notification_url: typeof body.notification_url === 'string' ? body.notification_url : undefined,
      payment_method_id: body.payment_method_id,
      payment_type_id: 'credit_card',
      installments,
      issuer_id: body.issuer_id === undefined ? undefined : String(body.issuer_id),
      binary_mode: body.binary_mode === true,
      captured: true,
      live_mode: false,
      payer: { email: payer.email, first_name: payer.first_name, last_name: payer.last_name },
      metadata: record(body.metadata),
      refunds: [],
      date_created: created,
      date_approved: null,
      date_last_updated: created,
    };
    const [status, detail] = initialStatus(scenario, body);
    payment.status = status;
    payment.status_detail = detail;
    if (status === 'approved') payment.date_approved = created;
    if (detail === 'pending_challenge') {
      const creq = JSON.stringify({ threeDSServerTransID: randomUUID(), messageType: 'CReq' });
      payment.three_ds_info = {
        external_resource_url: `${baseUrl}/__sim/3ds/${id}`,
        creq: Buffer.from(creq).toString('base64url'),
      };
    }
    const stored: Stored = { payment, amountCents, scenario, request: req.body };
    payments.set(id, stored);
    idempotent.set(`payment:${key}`, id);
    notify(payment, 'payment.created');

    if (scenario === 'pending_approve' || scenario === 'pending_reject') {
      const outcome = scenario === 'pending_approve' ? 'approved' : 'declined';
      if (timing.autoSettleMs !== undefined) {
        timers.after(timing.autoSettleMs, () => {
          if (payment.status === 'in_process') core.settle(String(id), outcome);
        });
      }
    }
    // `timeout`: the payment exists, the answer never comes; the retry with the same key gets it.
    return scenario === 'timeout' ? NO_ANSWER : json(201, payment);
  }

  function searchPayments(req: SimRequest): SimResponse {
    const reference = req.query.get('external_reference');
    const status = req.query.get('status');
    const limit = Math.min(Number(req.query.get('limit') ?? 30) || 30, 1000);
    const offset = Number(req.query.get('offset') ?? 0) || 0;
    const all = [...payments.values()]
      .map((s) => s.payment)
      .filter((p) => reference === null || p.external_reference === reference)
      .filter((p) => status === null || p.status === status);
    const sorted = req.query.get('criteria') === 'asc' ? all : all.reverse();
    const results = sorted.slice(offset, offset + limit);
    return json(200, { paging: { total: sorted.length, limit, offset }, results });
  }

  function refundPayment(req: SimRequest): SimResponse {
    const key = `refund:${header(req.headers, 'x-idempotency-key') ?? randomUUID()}`;
    const earlier = idempotent.get(key);
    if (earlier) return json(201, earlier);
    const stored = payments.get(Number(req.params[0]));
    if (!stored) return notFound();
    const { payment } = stored;
    const refundedCents = cents(payment.transaction_amount_refunded) ?? 0;
    const remaining = stored.amountCents - refundedCents;
    if (payment.status !== 'approved' || remaining <= 0) return badRequest(2063, 'Payment is not refundable');
    const requested = record(req.body).amount;
    const amountCents = requested === undefined ? remaining : cents(requested);
    if (amountCents === undefined || amountCents > remaining) return badRequest(2064, 'Invalid refund amount');
    const refund = {
      id: nextRefundId(),
      payment_id: payment.id,
      amount: major(amountCents),
      status: 'approved',
      refund_mode: 'standard',
      adjustment_amount: 0,
      source: { id: '123456789', name: 'simulator', type: 'collector' },
      date_created: new Date().toISOString(),
    };
    payment.refunds.push(refund);
    payment.transaction_amount_refunded = major(refundedCents + amountCents);
    refunds.push({ id: String(refund.id), chargeId: String(payment.id), amountCents });
    idempotent.set(key, refund);
    if (amountCents === remaining) update(stored, 'refunded', 'refunded');
    else update(stored, 'approved', 'partially_refunded');
    return json(201, refund);
  }

  function updatePayment(req: SimRequest): SimResponse {
    const stored = payments.get(Number(req.params[0]));
    if (!stored) return notFound();
    if (record(req.body).status !== 'cancelled') return badRequest(4000, 'Only status=cancelled is supported');
    const key = `cancel:${header(req.headers, 'x-idempotency-key') ?? randomUUID()}`;
    if (idempotent.has(key)) return json(200, stored.payment);
    if (!['pending', 'in_process', 'authorized'].includes(stored.payment.status)) {
      return badRequest(2061, `Cannot cancel a payment in status ${stored.payment.status}`);
    }
    delete stored.payment.three_ds_info;
    idempotent.set(key, stored.payment.id);
    cancels.push(String(stored.payment.id));
    update(stored, 'cancelled', 'by_collector');
    return json(200, stored.payment);
  }

  const core: GatewayCore = {
    charges: () =>
      [...payments.values()].map(
        ({ payment, amountCents, scenario, request }): ChargeSummary => ({
          id: String(payment.id),
          purchaseId: payment.external_reference,
          amountCents,
          currency: payment.currency_id,
          status: payment.status,
          scenario,
          request,
        }),
      ),
    settle(id, outcome: Settlement) {
      const stored = find(id);
      if (stored.payment.status !== 'in_process') throw new SimError(409, `payment ${id} is not in process`);
      if (outcome === 'approved') update(stored, 'approved', 'accredited');
      else update(stored, 'rejected', MERCADO_PAGO_DECLINES.fraud);
    },
    completeThreeDs(id, outcome: Settlement) {
      const stored = find(id);
      if (stored.payment.status_detail !== 'pending_challenge') {
        throw new SimError(409, `payment ${id} has no 3-D Secure challenge`);
      }
      delete stored.payment.three_ds_info;
      if (outcome === 'approved') update(stored, 'approved', 'accredited');
      else update(stored, 'rejected', THREE_DS_REJECTED);
      return undefined;
    },
    chargeBack(id) {
      const stored = find(id);
      if (stored.payment.status !== 'approved') throw new SimError(409, `payment ${id} is not approved`);
      update(stored, 'charged_back', 'settled');
    },
    refunds: () => [...refunds],
    cancels: () => [...cancels],
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    reset() {
      timers.clear();
      payments.clear();
      idempotent.clear();
      tokens.clear();
      refunds.length = 0;
      cancels.length = 0;
    },
  };

  const unauthorized = mpError(401, 'unauthorized', 'invalid access token', [
    { code: 2000, description: 'invalid access token' },
  ]);
  const api = (method: string, path: RegExp, handler: Handler) =>
    route(method, path, withBearer(options.accessToken, unauthorized, handler));

  const sim = await startGatewaySimulator({
    port: options.port,
    latencyMs: options.latencyMs,
    core,
    webhooks,
    timers,
    browserRoutes: mercadoPagoSdkRoutes(),
    outageBody: { message: 'Service unavailable', error: 'service_unavailable', status: 503, cause: [] },
    routes: [
      api('POST', /^\/v1\/payments$/, createPayment),
      api('GET', /^\/v1\/payments\/search$/, searchPayments),
      api('GET', /^\/v1\/payments\/(\d+)$/, (req) => {
        const stored = payments.get(Number(req.params[0]));
        return stored ? json(200, stored.payment) : notFound();
      }),
      api('PUT', /^\/v1\/payments\/(\d+)$/, updatePayment),
      api('POST', /^\/v1\/payments\/(\d+)\/refunds$/, refundPayment),
    ],
  });
  baseUrl = sim.url;

  return { ...sim, webhookSecret, payment: (id) => payments.get(Number(id))?.payment };
}

/** Status and detail a new payment gets from its token. */
function initialStatus(scenario: Scenario, body: Record<string, unknown>): [string, string] {
  if (isDeclineReason(scenario)) return ['rejected', MERCADO_PAGO_DECLINES[scenario]];
  if (scenario === 'pending_approve' || scenario === 'pending_reject') return ['in_process', PENDING_DETAILS[scenario]];
  if (scenario === '3ds') {
    const asked = body.three_d_secure_mode === 'optional';
    return asked ? ['pending', 'pending_challenge'] : ['rejected', THREE_DS_NOT_REQUESTED];
  }
  return ['approved', 'accredited'];
}

/**
 * Mercado Pago's webhook signature: `x-signature: ts=<seconds>,v1=<hex HMAC-SHA256>` over
 * `id:<data.id>;request-id:<x-request-id>;ts:<ts>;` with the webhook secret (tech-notes §4.4).
 */
function signature(dataId: string, secret: string): Record<string, string> {
  const requestId = randomUUID();
  const ts = String(Math.floor(Date.now() / 1000));
  const v1 = createHmac('sha256', secret).update(`id:${dataId};request-id:${requestId};ts:${ts};`).digest('hex');
  return { 'x-signature': `ts=${ts},v1=${v1}`, 'x-request-id': requestId };
}
