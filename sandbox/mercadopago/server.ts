/**
 * A Mercado Pago Payments API simulator for the real `mercadopago` SDK: create (honouring `X-Idempotency-Key`), get,
 * search (the documented parameters, paging limits and date formats), refunds, cancel, webhooks signed the way Mercado
 * Pago signs them (`x-signature`, `x-request-id`), and the issuer's 3-D Secure challenge, opened by a form POST of
 * `creq`. Each access token is its own account: it sees only its payments.
 */
import { createHmac, randomUUID } from 'node:crypto';
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
import { challengePage, challengeSecret, endPage, formFields, postOnly, pressed } from '../lib/three-ds';
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
  /** Requests per second per access token before 429 (DEFAULT_RATE_LIMIT_PER_SECOND when absent; null = unlimited). */
  rateLimitPerSecond?: number | null;
  /** How long an `X-Idempotency-Key` is remembered: 24 hours by default (Mercado Pago does not publish it). */
  idempotencyKeyTtlMs?: number;
  /** A 3-D Secure challenge whose `creq` is not posted this soon after the payment is rejected: 30 s, as documented. */
  threeDsStartTimeoutMs?: number;
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
  /** The access token that made it: the account that sees it. */
  account: string;
  amountCents: number;
  scenario: Scenario | undefined;
  request: unknown;
  /** The same dates as the payment's, in epoch milliseconds, for searches. */
  createdMs: number;
  updatedMs: number;
  approvedMs: number | null;
  /** A 3-D Secure challenge: its transaction id, the creq issued, and the session its page opened (once posted). */
  challenge?: { transId: string; creq: string; session?: string };
}

const DEFAULT_WEBHOOK_SECRET = 'sandbox-mercadopago-webhook-secret';
const MONEY = /^\d{1,12}(\.\d{1,2})?$/;
const DAY_MS = 86_400_000;
const DEFAULT_IDEMPOTENCY_TTL_MS = DAY_MS;
const THREE_DS_START_MS = 30_000;

/** Exact cents of a JSON amount (19.99 → 1999), or undefined when it has more than two decimals. */
function cents(amount: unknown): number | undefined {
  if (typeof amount !== 'number' || amount <= 0 || !MONEY.test(String(amount))) return undefined;
  const [units, fraction = ''] = String(amount).split('.');
  return Number(units) * 100 + Number(fraction.padEnd(2, '0'));
}

/** Cents as the JSON number Mercado Pago uses (1999 → 19.99). */
const major = (amountCents: number) =>
  Number(`${Math.floor(amountCents / 100)}.${String(amountCents % 100).padStart(2, '0')}`);

/** Mercado Pago writes its dates in its own zone, with the offset: `2024-05-01T09:30:00.000-04:00`. */
function mpDate(ms: number): string {
  return new Date(ms - 4 * 3_600_000).toISOString().replace('Z', '-04:00');
}

/**
 * A search date as the reference allows it: `NOW`, `NOW-<n>DAYS`, `NOW-<n>MONTHS`, or `yyyy-MM-dd'T'HH:mm:ss.SSS`
 * with a numeric offset (`-04:00`; the documented examples also drop leading zeros of month and day). Epoch ms, or
 * undefined when it is none of these (error 1001).
 */
function searchDate(text: string, now: number): number | undefined {
  const relative = /^NOW(?:-(\d+)(DAYS|MONTHS))?$/.exec(text);
  if (relative) {
    const [, n, unit] = relative;
    if (!n) return now;
    if (unit === 'DAYS') return now - Number(n) * DAY_MS;
    const date = new Date(now);
    date.setUTCMonth(date.getUTCMonth() - Number(n));
    return date.getTime();
  }
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec, ms, oh, om] = [1, 2, 3, 4, 5, 6, 7, 9, 10].map((i) => Number(m[i]));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 || oh > 14 || om > 59) return undefined;
  const offset = (m[8] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offset;
}

/** `/v1/payments/search` parameters: the reference's, plus `status` (in its samples) and offset/limit paging. */
const SEARCH_PARAMETERS = new Set([
  'sort',
  'criteria',
  'external_reference',
  'range',
  'begin_date',
  'end_date',
  'store_id',
  'pos_id',
  'collector.id',
  'payer.id',
  'status',
  'offset',
  'limit',
]);
const SORTS = ['date_approved', 'date_created', 'date_last_updated', 'id', 'money_release_date'] as const;
const RANGES = ['date_created', 'date_last_updated', 'date_approved', 'money_release_date'] as const;
/**
 * Paging limits: Mercado Pago documents error 1000 ("Number of rows exceeded the limits") but not the numbers. A page
 * is at most 100 rows (what its own SDK pages by), 30 by default, and offset + limit stays within 10,000.
 */
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 30;
const MAX_ROWS = 10_000;
/** The search covers the last 12 months. */
const SEARCH_RETENTION_MS = 365 * DAY_MS;

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
  const idempotencyTtlMs = options.idempotencyKeyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  const webhooks = new WebhookDispatcher();
  const clock = new SimClock();
  const payments = new ChargeBook<Stored>();
  /** 3-D Secure transaction id → payment id. */
  const challenges = new Map<string, number>();
  /** `<account> <operation> <X-Idempotency-Key>` → what the first request with that key produced, and when. */
  const idempotent = new Map<string, { at: number; value: unknown }>();
  const tokens = new TokenBook();
  const refunds: RefundSummary[] = [];
  const cancels: string[] = [];
  const timers = new SettleTimers();
  let webhookUrl = options.webhookUrl;
  let baseUrl = '';
  const nextPaymentId = idSequence();
  const nextNotificationId = idSequence();
  const nextRefundId = idSequence();

  function remembered(key: string): unknown {
    const entry = idempotent.get(key);
    if (!entry) return undefined;
    if (clock.now() - entry.at > idempotencyTtlMs) {
      idempotent.delete(key);
      return undefined;
    }
    return entry.value;
  }

  function remember(key: string, value: unknown): void {
    idempotent.set(key, { at: clock.now(), value });
  }

  function notify(payment: MercadoPagoPayment, action: 'payment.created' | 'payment.updated'): void {
    const target = payment.notification_url ?? webhookUrl;
    const dataId = String(payment.id);
    const eventId = String(nextNotificationId());
    const body = JSON.stringify({
      id: Number(eventId),
      live_mode: false,
      type: 'payment',
      date_created: mpDate(clock.now()),
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
    stored.updatedMs = clock.now();
    payment.date_last_updated = mpDate(stored.updatedMs);
    if (status === 'approved' && stored.approvedMs === null) {
      stored.approvedMs = stored.updatedMs;
      payment.date_approved = payment.date_last_updated;
    }
    notify(payment, 'payment.updated');
  }

  function find(id: string): Stored {
    const stored = payments.get(id);
    if (!stored) throw new SimError(404, `no payment ${id}`);
    return stored;
  }

  /** The payment `id` as `req`'s account sees it. */
  const own = (req: SimRequest, id: string) => payments.own(id, bearerToken(req));
  const save = (stored: Stored) => payments.add(stored.payment.id, stored.payment.external_reference, stored);

  function newPayment(fields: {
    amount: number;
    amountCents: number;
    account: string;
    createdMs: number;
    body: Record<string, unknown>;
    scenario: Scenario | undefined;
  }): Stored {
    const { body, createdMs } = fields;
    const payer = record(body.payer);
    const created = mpDate(createdMs);
    const payment: MercadoPagoPayment = {
      id: nextPaymentId(),
      status: 'approved',
      status_detail: 'accredited',
      transaction_amount: fields.amount,
      transaction_amount_refunded: 0,
      currency_id: 'MXN',
      description: typeof body.description === 'string' ? body.description : undefined,
      external_reference: typeof body.external_reference === 'string' ? body.external_reference : undefined,
      notification_url: typeof body.notification_url === 'string' ? body.notification_url : undefined,
      payment_method_id: typeof body.payment_method_id === 'string' ? body.payment_method_id : undefined,
      payment_type_id: 'credit_card',
      installments: Number(body.installments ?? 1),
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
    return {
      payment,
      account: fields.account,
      amountCents: fields.amountCents,
      scenario: fields.scenario,
      request: body,
      createdMs,
      updatedMs: createdMs,
      approvedMs: null,
    };
  }

  function setStatus(stored: Stored, [status, detail]: [string, string]): void {
    stored.payment.status = status;
    stored.payment.status_detail = detail;
    if (status === 'approved') {
      stored.approvedMs = stored.createdMs;
      stored.payment.date_approved = stored.payment.date_created;
    }
  }

  async function createPayment(req: SimRequest): Promise<SimResponse | typeof NO_ANSWER> {
    const key = header(req.headers, 'x-idempotency-key');
    if (!key) return badRequest(4292, 'Header X-Idempotency-Key is required');
    const account = bearerToken(req) ?? '';
    // Same X-Idempotency-Key → the same payment, as Mercado Pago does: checked first, before the (spent) token.
    const earlier = remembered(`${account} payment ${key}`);
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

    const stored = newPayment({
      amount: body.transaction_amount as number,
      amountCents,
      account,
      createdMs: clock.now(),
      body,
      scenario,
    });
    const { payment } = stored;
    const { id } = payment;
    setStatus(stored, initialStatus(scenario, body));
    if (payment.status_detail === 'pending_challenge') openChallenge(stored);
    save(stored);
    remember(`${account} payment ${key}`, id);
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

  /**
   * A challenge the customer's browser opens by POSTing `creq` to `external_resource_url` (the issuer's ACS). Not
   * started within the documented 30 seconds, the payment is rejected.
   */
  function openChallenge(stored: Stored): void {
    const transId = randomUUID();
    const creqJson = { threeDSServerTransID: transId, acsTransID: randomUUID(), messageType: 'CReq', messageVersion: '2.2.0', challengeWindowSize: '05' };
    const creq = Buffer.from(JSON.stringify(creqJson)).toString('base64url');
    stored.challenge = { transId, creq };
    stored.payment.three_ds_info = { external_resource_url: `${baseUrl}/acs/challenges`, creq };
    challenges.set(transId, stored.payment.id);
    timers.after(options.threeDsStartTimeoutMs ?? THREE_DS_START_MS, () => {
      if (stored.challenge && !stored.challenge.session && stored.payment.status_detail === 'pending_challenge') {
        closeChallenge(stored);
        update(stored, 'rejected', THREE_DS_REJECTED);
      }
    });
  }

  function closeChallenge(stored: Stored): void {
    if (stored.challenge) challenges.delete(stored.challenge.transId);
    delete stored.challenge;
    delete stored.payment.three_ds_info;
  }

  /**
   * `GET /v1/payments/search`, as narrow as the reference: its parameters only, `begin_date`/`end_date` in the
   * documented formats over the chosen `range` (date_created by default, from NOW-3MONTHS), the last 12 months only,
   * offset/limit paging within the limits above.
   */
  function searchPayments(req: SimRequest): SimResponse {
    const q = req.query;
    const params = (description: string) => badRequest(1, `Params Error: ${description}`);
    for (const name of q.keys()) if (!SEARCH_PARAMETERS.has(name)) return params(`unknown parameter ${name}`);
    const sort = (q.get('sort') ?? 'date_created') as (typeof SORTS)[number];
    if (!SORTS.includes(sort)) return badRequest(1003, 'Invalid sort value');
    const criteria = q.get('criteria') ?? 'desc';
    if (criteria !== 'asc' && criteria !== 'desc') return badRequest(1004, 'Invalid criteria value');
    const range = (q.get('range') ?? 'date_created') as (typeof RANGES)[number];
    if (!RANGES.includes(range)) return params('invalid range');
    const now = clock.now();
    const begin = searchDate(q.get('begin_date') ?? 'NOW-3MONTHS', now);
    const end = searchDate(q.get('end_date') ?? 'NOW', now);
    if (begin === undefined || end === undefined) {
      return badRequest(1001, "Date format must be yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    }
    const limit = q.has('limit') ? Number(q.get('limit')) : DEFAULT_LIMIT;
    const offset = q.has('offset') ? Number(q.get('offset')) : 0;
    if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) return params('invalid paging');
    if (limit > MAX_LIMIT || offset + limit > MAX_ROWS) return badRequest(1000, 'Number of rows exceeded the limits');

    const dateOf = (s: Stored, field: string): number | null =>
      field === 'date_created' ? s.createdMs : field === 'date_last_updated' ? s.updatedMs : s.approvedMs;
    const equal = (name: string, value: string | undefined) => !q.has(name) || q.get(name) === value;
    const matches = payments.ofAccount(bearerToken(req)).filter((s) => {
      const at = dateOf(s, range);
      const p = s.payment;
      return (
        at !== null &&
        at >= begin &&
        at <= end &&
        s.createdMs >= now - SEARCH_RETENTION_MS &&
        equal('external_reference', p.external_reference) &&
        equal('status', p.status) &&
        // Point-of-sale and payer filters: card payments of this checkout have none of them.
        !['store_id', 'pos_id', 'payer.id', 'collector.id'].some((name) => q.has(name))
      );
    });
    const key = (s: Stored) => (sort === 'id' ? s.payment.id : (dateOf(s, sort) ?? Number.MAX_SAFE_INTEGER));
    const direction = criteria === 'asc' ? 1 : -1;
    matches.sort((a, b) => direction * (key(a) - key(b) || a.payment.id - b.payment.id));
    const results = matches.slice(offset, offset + limit).map((s) => s.payment);
    return json(200, { paging: { total: matches.length, limit, offset }, results });
  }

  /** A refund of `amountCents` (the rest when undefined), through the API or the dashboard. */
  function refund(stored: Stored, amountCents: number | undefined, source: RefundSummary['source']) {
    const { payment } = stored;
    const refundedCents = cents(payment.transaction_amount_refunded) ?? 0;
    const remaining = stored.amountCents - refundedCents;
    if (payment.status !== 'approved' || remaining <= 0) return badRequest(2063, 'Payment is not refundable');
    const amount = amountCents ?? remaining;
    if (amount > remaining) return badRequest(2064, 'Invalid refund amount');
    const made = {
      id: nextRefundId(),
      payment_id: payment.id,
      amount: major(amount),
      status: 'approved',
      refund_mode: 'standard',
      adjustment_amount: 0,
      source: { id: '123456789', name: source === 'api' ? 'api' : 'dashboard', type: 'collector' },
      date_created: mpDate(clock.now()),
    };
    payment.refunds.push(made);
    payment.transaction_amount_refunded = major(refundedCents + amount);
    refunds.push({ id: String(made.id), chargeId: String(payment.id), amountCents: amount, source });
    if (amount === remaining) update(stored, 'refunded', 'refunded');
    else update(stored, 'approved', 'partially_refunded');
    return json(201, made);
  }

  function refundPayment(req: SimRequest): SimResponse {
    const key = `${bearerToken(req)} refund ${header(req.headers, 'x-idempotency-key') ?? randomUUID()}`;
    const earlier = remembered(key);
    if (earlier) return json(201, earlier);
    const stored = own(req, req.params[0]);
    if (!stored) return notFound();
    const requested = record(req.body).amount;
    const amountCents = requested === undefined ? undefined : cents(requested);
    if (requested !== undefined && amountCents === undefined) return badRequest(2064, 'Invalid refund amount');
    const answer = refund(stored, amountCents, 'api');
    if (answer.status === 201) remember(key, answer.body);
    return answer;
  }

  function updatePayment(req: SimRequest): SimResponse {
    const stored = own(req, req.params[0]);
    if (!stored) return notFound();
    if (record(req.body).status !== 'cancelled') return badRequest(4000, 'Only status=cancelled is supported');
    const key = `${bearerToken(req)} cancel ${header(req.headers, 'x-idempotency-key') ?? randomUUID()}`;
    if (remembered(key) !== undefined) return json(200, stored.payment);
    if (!['pending', 'in_process', 'authorized'].includes(stored.payment.status)) {
      return badRequest(2061, `Cannot cancel a payment in status ${stored.payment.status}`);
    }
    closeChallenge(stored);
    remember(key, stored.payment.id);
    cancels.push(String(stored.payment.id));
    update(stored, 'cancelled', 'by_collector');
    return json(200, stored.payment);
  }

  const summary = ({ payment, account, amountCents, scenario, request }: Stored): ChargeSummary => ({
    id: String(payment.id),
    account,
    purchaseId: payment.external_reference,
    amountCents,
    currency: payment.currency_id,
    status: payment.status,
    scenario,
    request,
  });

  const core: GatewayCore = {
    chargesFor: (purchaseId) => payments.ofPurchase(purchaseId).map(summary),
    charges: () => payments.all().map(summary),
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
      closeChallenge(stored);
      if (outcome === 'approved') update(stored, 'approved', 'accredited');
      else update(stored, 'rejected', THREE_DS_REJECTED);
      return undefined;
    },
    chargeBack(id) {
      const stored = find(id);
      if (!['approved', 'in_mediation'].includes(stored.payment.status)) {
        throw new SimError(409, `payment ${id} is not approved`);
      }
      update(stored, 'charged_back', 'settled');
    },
    dispute(id) {
      const stored = find(id);
      if (stored.payment.status !== 'approved') throw new SimError(409, `payment ${id} is not approved`);
      update(stored, 'in_mediation', stored.payment.status_detail);
    },
    refundFromDashboard(id, amountCents) {
      const answer = refund(find(id), amountCents, 'dashboard');
      if (answer.status !== 201) throw new SimError(409, `payment ${id} cannot be refunded`);
    },
    addCharge(seed: ChargeSeed) {
      const createdMs = new Date(seed.createdAt ?? clock.now()).getTime();
      const metadata = { ...seed.metadata, ...(seed.purchaseId ? { purchase_id: seed.purchaseId } : {}) };
      const body = { external_reference: seed.purchaseId, metadata, payment_method_id: 'visa', payer: { email: 'cliente@example.com' } };
      const stored = newPayment({
        amount: major(seed.amountCents),
        amountCents: seed.amountCents,
        account: seed.account,
        createdMs,
        body,
        scenario: undefined,
      });
      stored.request = undefined;
      stored.payment.currency_id = seed.currency ?? 'MXN';
      const initial: Record<string, [string, string]> = {
        approved: ['approved', 'accredited'],
        pending: ['in_process', PENDING_DETAILS.pending_approve],
        declined: ['rejected', MERCADO_PAGO_DECLINES.declined],
      };
      setStatus(stored, initial[seed.status ?? 'approved']);
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
      payments.clear();
      challenges.clear();
      idempotent.clear();
      tokens.clear();
      refunds.length = 0;
      cancels.length = 0;
    },
  };

  /**
   * The issuer's challenge (the ACS behind `external_resource_url`), as a browser reaches it: a form POST of the
   * `creq` Mercado Pago issued opens the bank's page, whose own form completes it. A GET, another body, an unknown or
   * spent `creq` are refused.
   */
  function challengeOf(transId: string | undefined): Stored {
    const id = transId === undefined ? undefined : challenges.get(transId);
    const stored = id === undefined ? undefined : payments.get(id);
    if (!stored?.challenge || stored.payment.status_detail !== 'pending_challenge') {
      throw new SimError(400, 'invalid creq: no challenge is waiting for it');
    }
    return stored;
  }
  const transIdOf = (creq: unknown): string | undefined => {
    if (typeof creq !== 'string') return undefined;
    try {
      const id = record(JSON.parse(Buffer.from(creq, 'base64url').toString('utf8'))).threeDSServerTransID;
      return typeof id === 'string' ? id : undefined;
    } catch {
      return undefined;
    }
  };
  const acsRoutes = [
    route('GET', /^\/acs\/challenges(?:\/[^/]+)?$/, postOnly),
    route('POST', /^\/acs\/challenges$/, (req) => {
      const fields = formFields(req);
      const stored = challengeOf(transIdOf(fields.creq));
      const challenge = stored.challenge!;
      if (fields.creq !== challenge.creq) throw new SimError(400, 'invalid creq');
      challenge.session ??= challengeSecret();
      return challengePage(`/acs/challenges/${challenge.transId}`, { session: challenge.session }, String(stored.payment.id));
    }),
    route('POST', /^\/acs\/challenges\/([^/]+)$/, (req) => {
      const fields = formFields(req);
      const stored = challengeOf(req.params[0]);
      if (!stored.challenge!.session || fields.session !== stored.challenge!.session) {
        throw new SimError(403, 'this challenge was not opened with its creq');
      }
      core.completeThreeDs(String(stored.payment.id), pressed(fields));
      // Mercado Pago's page tells the frame's parent the challenge is over; the payment's status says how it ended.
      return endPage('Verificación terminada', "parent.postMessage({ status: 'COMPLETE' }, '*');");
    }),
  ];

  const unauthorized = mpError(401, 'unauthorized', 'invalid access token', [
    { code: 2000, description: 'invalid access token' },
  ]);
  const api = (method: string, path: RegExp, handler: Handler) =>
    route(method, path, withBearer(options.accessToken, unauthorized, handler));

  const sim = await startGatewaySimulator({
    port: options.port,
    latencyMs: options.latencyMs,
    rateLimitPerSecond: options.rateLimitPerSecond,
    core,
    clock,
    webhooks,
    timers,
    browserRoutes: [...mercadoPagoSdkRoutes(), ...acsRoutes],
    outageBody: { message: 'Service unavailable', error: 'service_unavailable', status: 503, cause: [] },
    rateLimitedBody: { message: 'Too many requests', error: 'too_many_requests', status: 429, cause: [] },
    routes: [
      api('POST', /^\/v1\/payments$/, createPayment),
      api('GET', /^\/v1\/payments\/search$/, searchPayments),
      api('GET', /^\/v1\/payments\/(\d+)$/, (req) => {
        const stored = own(req, req.params[0]);
        return stored ? json(200, stored.payment) : notFound();
      }),
      api('PUT', /^\/v1\/payments\/(\d+)$/, updatePayment),
      api('GET', /^\/v1\/payments\/(\d+)\/refunds$/, (req) => {
        const stored = own(req, req.params[0]);
        return stored ? json(200, stored.payment.refunds) : notFound();
      }),
      api('POST', /^\/v1\/payments\/(\d+)\/refunds$/, refundPayment),
    ],
  });
  baseUrl = sim.url;

  return { ...sim, webhookSecret, payment: (id) => payments.get(id)?.payment };
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
 * `id:<data.id>;request-id:<x-request-id>;ts:<ts>;` with the webhook secret, as Mercado Pago signs its notifications.
 */
function signature(dataId: string, secret: string): Record<string, string> {
  const requestId = randomUUID();
  const ts = String(Math.floor(Date.now() / 1000));
  const v1 = createHmac('sha256', secret).update(`id:${dataId};request-id:${requestId};ts:${ts};`).digest('hex');
  return { 'x-signature': `ts=${ts},v1=${v1}`, 'x-request-id': requestId };
}
