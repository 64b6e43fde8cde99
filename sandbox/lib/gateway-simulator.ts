/**
 * What the Conekta and Mercado Pago simulators have in common: the inspection and control surface tests and the
 * `/__sim/…` HTTP routes use (so a standalone simulator can be driven with curl), on top of each gateway's own API.
 */
import {
  json,
  record,
  route,
  startHttpSimulator,
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
  /** Our purchase id as the gateway received it (Conekta metadata.purchase_id, MP external_reference). */
  purchaseId: string | undefined;
  amountCents: number;
  currency: string;
  /** The gateway's own status word. */
  status: string;
  scenario: Scenario | undefined;
  /** The create request body exactly as received. */
  request: unknown;
}

export interface RefundSummary {
  id: string;
  chargeId: string;
  amountCents: number;
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
  /** Moves a pending charge to its final status (`pending_*` tokens). */
  settle(id: string, outcome: Settlement): void;
  /** Ends a 3-D Secure challenge; returns where the customer goes back to, if the charge said. */
  completeThreeDs(id: string, outcome: Settlement): string | undefined;
  chargeBack(id: string): void;
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
  refunds(): RefundSummary[];
  cancels(): string[];
  /** Delay added to every API answer (benchmarks use 300 ms); 0 by default. */
  setLatency(ms: number): void;
  /** Fail every API call (503, or never answer) until set back to null. */
  setOutage(mode: Outage): void;
  setWebhookUrl(url: string | undefined): void;
  /** Duplicates, out-of-order delivery, replays and the delivery log. */
  webhooks: WebhookDispatcher;
  /** Forget every charge, token and webhook (settings stay). */
  reset(): void;
  close(): Promise<void>;
}

export interface GatewaySimulatorOptions {
  port?: number;
  latencyMs?: number;
  routes: Route[];
  /** Pages and scripts for browsers (the tokenizer): served like the control routes, never delayed or failed. */
  browserRoutes?: Route[];
  core: GatewayCore;
  webhooks: WebhookDispatcher;
  /** Pending charges' auto-settle timers, stopped on close. */
  timers: SettleTimers;
  outageBody: unknown;
}

export async function startGatewaySimulator(options: GatewaySimulatorOptions): Promise<GatewaySimulator> {
  const { core, webhooks } = options;
  const http = await startHttpSimulator({
    port: options.port,
    latencyMs: options.latencyMs,
    routes: options.routes.map(guarded),
    controlRoutes: controlRoutes(core, webhooks, (latencyMs, outage) => {
      if (latencyMs !== undefined) http.setLatency(latencyMs);
      if (outage !== undefined) http.setOutage(outage);
    })
      .concat(options.browserRoutes ?? [])
      .map(guarded),
    outageBody: options.outageBody,
  });
  return {
    url: http.url,
    port: http.port,
    charges: () => core.charges(),
    chargesFor: (purchaseId) => core.charges().filter((c) => c.purchaseId === purchaseId),
    settle: (id, outcome = 'approved') => core.settle(id, outcome),
    completeThreeDs: (id, outcome = 'approved') => void core.completeThreeDs(id, outcome),
    chargeBack: (id) => core.chargeBack(id),
    refunds: () => core.refunds(),
    cancels: () => core.cancels(),
    setLatency: (ms) => http.setLatency(ms),
    setOutage: (mode) => http.setOutage(mode),
    setWebhookUrl: (url) => core.setWebhookUrl(url),
    webhooks,
    reset: () => {
      core.reset();
      webhooks.reset();
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

function controlRoutes(
  core: GatewayCore,
  webhooks: WebhookDispatcher,
  configureHttp: (latencyMs: number | undefined, outage: Outage | undefined) => void,
): Route[] {
  const ok = (body: unknown = { ok: true }): SimResponse => json(200, body);
  return [
    route('GET', /^\/__sim\/charges$/, (req) => {
      const purchaseId = req.query.get('purchase_id');
      const charges = core.charges().filter((c) => purchaseId === null || c.purchaseId === purchaseId);
      return ok({ count: charges.length, charges });
    }),
    route('GET', /^\/__sim\/refunds$/, () => ok({ refunds: core.refunds() })),
    route('GET', /^\/__sim\/cancels$/, () => ok({ cancels: core.cancels() })),
    route('POST', /^\/__sim\/charges\/([^/]+)\/settle$/, (req) => {
      core.settle(req.params[0], outcomeOf(req));
      return ok();
    }),
    route('POST', /^\/__sim\/charges\/([^/]+)\/chargeback$/, (req) => {
      core.chargeBack(req.params[0]);
      return ok();
    }),
    // The 3-D Secure "bank page" a redirect URL points at: two buttons, then back to the merchant's return URL.
    route('GET', /^\/__sim\/3ds\/([^/]+)$/, (req) => ({
      status: 200,
      html: `<!doctype html><title>3-D Secure (simulador)</title><h1>3-D Secure</h1>
<form method="post"><button name="outcome" value="approved">Autorizar</button>
<button name="outcome" value="declined">Rechazar</button></form><p>${req.params[0].replace(/[^\w-]/g, '')}</p>`,
    })),
    route('POST', /^\/__sim\/3ds\/([^/]+)$/, (req) => {
      const returnUrl = core.completeThreeDs(req.params[0], outcomeOf(req));
      return returnUrl ? { status: 303, headers: { location: returnUrl } } : ok();
    }),
    route('PUT', /^\/__sim\/config$/, (req) => {
      const body = record(req.body);
      const latencyMs = typeof body.latencyMs === 'number' ? body.latencyMs : undefined;
      const outage = [null, 'error', 'timeout'].includes(body.outage as Outage) ? (body.outage as Outage) : undefined;
      configureHttp(latencyMs, outage);
      if (typeof body.webhookUrl === 'string' || body.webhookUrl === null) {
        core.setWebhookUrl(body.webhookUrl ?? undefined);
      }
      const settings = webhooks.configure({
        ...(typeof body.duplicateWebhooks === 'boolean' ? { duplicate: body.duplicateWebhooks } : {}),
        ...(typeof body.holdWebhooks === 'boolean' ? { hold: body.holdWebhooks } : {}),
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
      return ok();
    }),
  ];
}
