/**
 * What the Conekta and Mercado Pago simulators have in common: the inspection and control surface tests and the
 * `/__sim/…` HTTP routes use (so a standalone simulator can be driven with curl), on top of each gateway's own API.
 */
import type { SimClock } from './clock';
import {
  json,
  record,
  route,
  startHttpSimulator,
  type ApiCallLog,
  type Outage,
  type Route,
  type SimRequest,
  type SimResponse,
} from './http';
import { isSettlement, type Scenario, type SettleTimers, type Settlement } from './scenarios';
import type { WebhookDispatcher } from './webhooks';

/** One charge as the tests inspect it, whatever the gateway calls it (order, payment). */
export interface ChargeSummary {
  /** The gateway's id (`ord_…`, numeric payment id as a string). */
  id: string;
  /** The account it belongs to: the bearer token (Conekta private key, Mercado Pago access token) that made it. */
  account: string;
  /** Our purchase id as the gateway received it (Conekta metadata.purchase_id, MP external_reference). */
  purchaseId: string | undefined;
  amountCents: number;
  currency: string;
  /** The gateway's own status word. */
  status: string;
  /** The card token's scenario; undefined for a charge added with addCharge. */
  scenario: Scenario | undefined;
  /** The create request body exactly as received (undefined for an added charge). */
  request: unknown;
}

export interface RefundSummary {
  id: string;
  chargeId: string;
  amountCents: number;
  /** `api`: asked for through the API (by us); `dashboard`: made by someone in the gateway's dashboard. */
  source: 'api' | 'dashboard';
}

/** Statuses a charge added with addCharge can start in. */
export const SEED_STATUSES = ['approved', 'pending', 'declined'] as const;
export type SeedStatus = (typeof SEED_STATUSES)[number];

/**
 * A charge made outside the simulated checkout (a payment whose purchase row was lost, or bulk data for a benchmark):
 * no card token, no webhook.
 */
export interface ChargeSeed {
  /** The account it belongs to (Conekta private key, Mercado Pago access token). */
  account: string;
  /** Our purchase id (Conekta metadata.purchase_id, Mercado Pago external_reference and metadata.purchase_id). */
  purchaseId?: string;
  /** More metadata beside purchase_id (company_id…). */
  metadata?: Record<string, string>;
  amountCents: number;
  currency?: string;
  /** `approved` by default. */
  status?: SeedStatus;
  /** When it was made, ISO 8601 or epoch milliseconds; the simulator's now by default. */
  createdAt?: string | number;
}

/** A simulator's answer to a control call it cannot honour. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The gateway-specific half of a simulator. */
export interface GatewayCore {
  charges(): ChargeSummary[];
  /** The charges carrying one purchase id (indexed: benchmarks hold tens of thousands of charges). */
  chargesFor(purchaseId: string): ChargeSummary[];
  /** Moves a pending charge to its final status (`pending_*` tokens). */
  settle(id: string, outcome: Settlement): void;
  /** Ends a 3-D Secure challenge; returns where the customer goes back to, if the charge said. */
  completeThreeDs(id: string, outcome: Settlement): string | undefined;
  chargeBack(id: string): void;
  /** Opens a dispute on a paid charge (Mercado Pago `in_mediation`, a Conekta charge-back under review). */
  dispute(id: string): void;
  /** A refund made in the gateway's dashboard, not through the API: the whole remainder when no amount is given. */
  refundFromDashboard(id: string, amountCents?: number): void;
  addCharge(seed: ChargeSeed): ChargeSummary;
  refunds(): RefundSummary[];
  /** Ids of charges cancelled or voided through the API. */
  cancels(): string[];
  setWebhookUrl(url: string | undefined): void;
  reset(): void;
}

export interface GatewaySimulator {
  url: string;
  port: number;
  charges(): ChargeSummary[];
  /** Charges made for one purchase id: the exactly-once tests assert this is 1. */
  chargesFor(purchaseId: string): ChargeSummary[];
  settle(id: string, outcome?: Settlement): void;
  completeThreeDs(id: string, outcome?: Settlement): void;
  chargeBack(id: string): void;
  dispute(id: string): void;
  refundFromDashboard(id: string, amountCents?: number): void;
  addCharge(seed: ChargeSeed): ChargeSummary;
  refunds(): RefundSummary[];
  cancels(): string[];
  /** Delay added to every API answer (benchmarks use 300 ms); 0 by default. */
  setLatency(ms: number): void;
  /** Fail every API call (503, or never answer) until set back to null. */
  setOutage(mode: Outage): void;
  /** Requests per second each account may make before it gets 429 with Retry-After; null = unlimited. */
  setRateLimit(perSecond: number | null): void;
  /** Moves the simulator's clock (what new charges and changes are stamped with, and "now" for searches). */
  setClockOffset(ms: number): void;
  /** The API calls received (counts per route and the most recent ones). */
  apiCalls(): ApiCallLog;
  setWebhookUrl(url: string | undefined): void;
  /** Duplicates, out-of-order delivery, lost deliveries, replays and the delivery log. */
  webhooks: WebhookDispatcher;
  /** Forget every charge, token, webhook and call count (settings stay). */
  reset(): void;
  close(): Promise<void>;
}

/** Requests per second per account when nothing else is said: far above what a purchase needs, below a runaway loop. */
export const DEFAULT_RATE_LIMIT_PER_SECOND = 100;

export interface GatewaySimulatorOptions {
  port?: number;
  latencyMs?: number;
  /** Requests per second per account; DEFAULT_RATE_LIMIT_PER_SECOND when absent, null = unlimited. */
  rateLimitPerSecond?: number | null;
  routes: Route[];
  /** Pages and scripts for browsers (the tokenizer, 3-D Secure): served like the control routes, never delayed or failed. */
  browserRoutes?: Route[];
  core: GatewayCore;
  clock: SimClock;
  webhooks: WebhookDispatcher;
  /** Pending charges' auto-settle timers, stopped on close. */
  timers: SettleTimers;
  outageBody: unknown;
  rateLimitedBody: unknown;
}

export async function startGatewaySimulator(options: GatewaySimulatorOptions): Promise<GatewaySimulator> {
  const { core, webhooks, clock } = options;
  const http = await startHttpSimulator({
    port: options.port,
    latencyMs: options.latencyMs,
    rateLimitPerSecond: options.rateLimitPerSecond === undefined ? DEFAULT_RATE_LIMIT_PER_SECOND : options.rateLimitPerSecond,
    rateLimitedBody: options.rateLimitedBody,
    routes: options.routes.map(guarded),
    controlRoutes: controlRoutes(core, webhooks, {
      configure(settings) {
        if (settings.latencyMs !== undefined) http.setLatency(settings.latencyMs);
        if (settings.outage !== undefined) http.setOutage(settings.outage);
        if (settings.rateLimitPerSecond !== undefined) http.setRateLimit(settings.rateLimitPerSecond);
        if (settings.clockOffsetMs !== undefined) clock.setOffset(settings.clockOffsetMs);
      },
      calls: () => http.calls(),
      reset: () => http.resetCalls(),
    })
      .concat(options.browserRoutes ?? [])
      .map(guarded),
    outageBody: options.outageBody,
  });
  return {
    url: http.url,
    port: http.port,
    charges: () => core.charges(),
    chargesFor: (purchaseId) => core.chargesFor(purchaseId),
    settle: (id, outcome = 'approved') => core.settle(id, outcome),
    completeThreeDs: (id, outcome = 'approved') => void core.completeThreeDs(id, outcome),
    chargeBack: (id) => core.chargeBack(id),
    dispute: (id) => core.dispute(id),
    refundFromDashboard: (id, amountCents) => core.refundFromDashboard(id, amountCents),
    addCharge: (seed) => core.addCharge(seed),
    refunds: () => core.refunds(),
    cancels: () => core.cancels(),
    setLatency: (ms) => http.setLatency(ms),
    setOutage: (mode) => http.setOutage(mode),
    setRateLimit: (perSecond) => http.setRateLimit(perSecond),
    setClockOffset: (ms) => clock.setOffset(ms),
    apiCalls: () => http.calls(),
    setWebhookUrl: (url) => core.setWebhookUrl(url),
    webhooks,
    reset: () => {
      core.reset();
      webhooks.reset();
      http.resetCalls();
    },
    close: () => {
      options.timers.clear();
      return http.close();
    },
  };
}

/** Turns a SimError thrown by a handler into its HTTP answer. */
function guarded(r: Route): Route {
  return route(r.method, r.path, async (req) => {
    try {
      return await r.handler(req);
    } catch (error) {
      if (error instanceof SimError) return json(error.status, { message: error.message });
      throw error;
    }
  });
}

function outcomeOf(req: SimRequest): Settlement {
  const outcome = record(req.body).outcome ?? 'approved';
  if (!isSettlement(outcome)) throw new SimError(400, 'outcome must be approved or declined');
  return outcome;
}

/** A seed from a control request, every field checked (the simulator must not store what the API could not make). */
function seedOf(value: unknown): ChargeSeed {
  const body = record(value);
  const { account, purchaseId, amountCents, currency, status, createdAt } = body;
  const metadata = record(body.metadata);
  if (typeof account !== 'string' || !account) throw new SimError(400, 'account (the bearer token) is required');
  if (purchaseId !== undefined && typeof purchaseId !== 'string') throw new SimError(400, 'purchaseId must be a string');
  if (!Number.isSafeInteger(amountCents) || Number(amountCents) <= 0) throw new SimError(400, 'amountCents must be a positive integer');
  if (currency !== undefined && (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))) throw new SimError(400, 'invalid currency');
  if (status !== undefined && !(SEED_STATUSES as readonly unknown[]).includes(status)) throw new SimError(400, `status must be one of ${SEED_STATUSES.join(', ')}`);
  if (createdAt !== undefined && Number.isNaN(new Date(createdAt as string | number).getTime())) throw new SimError(400, 'invalid createdAt');
  if (!Object.values(metadata).every((v) => typeof v === 'string')) throw new SimError(400, 'metadata values must be strings');
  return {
    account,
    purchaseId,
    amountCents: Number(amountCents),
    currency,
    status: status as SeedStatus | undefined,
    createdAt: createdAt as string | number | undefined,
    metadata: metadata as Record<string, string>,
  };
}

interface HttpControl {
  configure(settings: { latencyMs?: number; outage?: Outage; rateLimitPerSecond?: number | null; clockOffsetMs?: number }): void;
  calls(): ApiCallLog;
  reset(): void;
}

function controlRoutes(core: GatewayCore, webhooks: WebhookDispatcher, http: HttpControl): Route[] {
  const ok = (body: unknown = { ok: true }): SimResponse => json(200, body);
  const numberOrNull = (v: unknown) => (v === null || (typeof v === 'number' && v > 0) ? v : undefined);
  return [
    route('GET', /^\/__sim\/charges$/, (req) => {
      const purchaseId = req.query.get('purchase_id');
      const charges = purchaseId === null ? core.charges() : core.chargesFor(purchaseId);
      return ok({ count: charges.length, charges });
    }),
    route('POST', /^\/__sim\/charges$/, (req) => {
      const seeds = (Array.isArray(req.body) ? req.body : [req.body]).map(seedOf);
      return json(201, { charges: seeds.map((seed) => core.addCharge(seed)) });
    }),
    route('GET', /^\/__sim\/refunds$/, () => ok({ refunds: core.refunds() })),
    route('GET', /^\/__sim\/cancels$/, () => ok({ cancels: core.cancels() })),
    route('GET', /^\/__sim\/calls$/, () => ok(http.calls())),
    route('POST', /^\/__sim\/charges\/([^/]+)\/settle$/, (req) => {
      core.settle(req.params[0], outcomeOf(req));
      return ok();
    }),
    route('POST', /^\/__sim\/charges\/([^/]+)\/3ds$/, (req) => {
      core.completeThreeDs(req.params[0], outcomeOf(req));
      return ok();
    }),
    route('POST', /^\/__sim\/charges\/([^/]+)\/chargeback$/, (req) => {
      core.chargeBack(req.params[0]);
      return ok();
    }),
    route('POST', /^\/__sim\/charges\/([^/]+)\/dispute$/, (req) => {
      core.dispute(req.params[0]);
      return ok();
    }),
    route('POST', /^\/__sim\/charges\/([^/]+)\/refund$/, (req) => {
      const amount = record(req.body).amountCents;
      if (amount !== undefined && (!Number.isSafeInteger(amount) || Number(amount) <= 0)) {
        throw new SimError(400, 'amountCents must be a positive integer');
      }
      core.refundFromDashboard(req.params[0], amount === undefined ? undefined : Number(amount));
      return ok();
    }),
    route('PUT', /^\/__sim\/config$/, (req) => {
      const body = record(req.body);
      http.configure({
        latencyMs: typeof body.latencyMs === 'number' ? body.latencyMs : undefined,
        outage: [null, 'error', 'timeout'].includes(body.outage as Outage) ? (body.outage as Outage) : undefined,
        rateLimitPerSecond: numberOrNull(body.rateLimitPerSecond) as number | null | undefined,
        clockOffsetMs: typeof body.clockOffsetMs === 'number' ? body.clockOffsetMs : undefined,
      });
      if (typeof body.webhookUrl === 'string' || body.webhookUrl === null) {
        core.setWebhookUrl(body.webhookUrl ?? undefined);
      }
      const settings = webhooks.configure({
        ...(typeof body.duplicateWebhooks === 'boolean' ? { duplicate: body.duplicateWebhooks } : {}),
        ...(typeof body.holdWebhooks === 'boolean' ? { hold: body.holdWebhooks } : {}),
        ...(typeof body.dropWebhooks === 'boolean' ? { drop: body.dropWebhooks } : {}),
      });
      return ok({ ok: true, webhooks: settings });
    }),
    route('GET', /^\/__sim\/webhooks$/, () =>
      ok({ events: webhooks.events(), deliveries: webhooks.deliveries(), held: webhooks.heldCount() }),
    ),
    route('POST', /^\/__sim\/webhooks\/deliver$/, async (req) => {
      const order = record(req.body).order === 'newest_first' ? 'newest_first' : 'oldest_first';
      return ok({ deliveries: await webhooks.deliverHeld(order) });
    }),
    route('POST', /^\/__sim\/webhooks\/([^/]+)\/replay$/, async (req) => {
      const delivery = await webhooks.replay(req.params[0]).catch(() => {
        throw new SimError(404, `unknown event ${req.params[0]}`);
      });
      return ok({ delivery });
    }),
    route('POST', /^\/__sim\/reset$/, () => {
      core.reset();
      webhooks.reset();
      http.reset();
      return ok();
    }),
  ];
}
