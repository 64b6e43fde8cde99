import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Gateway, PurchaseGateway, PurchaseStatus } from '../domain/purchase';

/**
 * Every Prometheus metric this service exports, defined once: name, help, labels. The API and the worker each build
 * their own part on a registry of their own (`ApiMetrics`, `WorkerMetrics`) and serve it at `/metrics`; the Node.js
 * process metrics (`process_*`, `nodejs_*`) come with both.
 *
 * Every label takes few values, whatever customers send: HTTP methods, route templates (never the path itself),
 * status codes, gateways, purchase statuses, error kinds, RouterOS command paths written in our code, and router ids —
 * bounded by the routers admins have configured, one series per router and result. No label ever holds a purchase,
 * a customer, a credential or anything else a request chooses. Updates are O(1): a hash lookup and an addition.
 */

/** Request latency (seconds): the catalog answers in milliseconds; a purchase may wait up to its response bound. */
const HTTP_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25];
/** One gateway or RouterOS call (seconds), up to their deadlines. */
const CALL_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];
/** From the purchase request to its outcome (seconds): most in seconds, pending payments up to an hour or more. */
const OUTCOME_SECONDS = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 300, 900, 1800, 3600, 7200];
/** From `expires_at` to the access being removed (seconds): moments normally, days while a router is away. */
const LAG_SECONDS = [1, 5, 15, 30, 60, 300, 900, 3600, 21_600, 86_400];

/** Purchase statuses that answer a purchase attempt (reached from created, charging, pending or paid). */
const OUTCOMES: ReadonlySet<PurchaseStatus> = new Set(['active', 'declined', 'failed', 'cancelled', 'refunded', 'revoked']);
const IN_SALE: ReadonlySet<PurchaseStatus> = new Set(['created', 'charging', 'pending', 'paid']);

/** RouterOS failures that mean the router could not be talked to at all (the others are the router's own answer). */
const UNREACHABLE: ReadonlySet<string> = new Set(['unreachable', 'timeout', 'login_refused', 'not_allowed']);
/** A router counts as unreachable while its latest command failed so, for this long at most without news. */
const UNREACHABLE_MEMORY_MS = 15 * 60_000;

export type GatewayOperation = 'charge' | 'getStatus' | 'findByPurchaseId' | 'refund' | 'cancel' | 'searchPayments';
export type ReconcileFinding = 'user_removed' | 'unknown_user' | 'abandoned_closed';

abstract class ProcessMetrics {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The Prometheus text exposition (format 0.0.4) of this process's metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** The API's metrics: HTTP traffic by route template and status, webhook signature checks. */
export class ApiMetrics extends ProcessMetrics {
  readonly httpRequests = new Counter<'method' | 'route' | 'status'>({
    name: 'pagos_http_requests_total',
    help: 'HTTP requests answered, by method, route template (unmatched for no route) and status code.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram<'method' | 'route'>({
    name: 'pagos_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route template.',
    labelNames: ['method', 'route'],
    buckets: HTTP_SECONDS,
    registers: [this.registry],
  });

  private readonly webhooks = new Counter<'gateway' | 'result'>({
    name: 'pagos_webhook_verifications_total',
    help: 'Gateway notifications by gateway and result: verified, duplicate (verified, seen before), unknown_purchase (names no purchase of ours), or why the signature was refused.',
    labelNames: ['gateway', 'result'],
    registers: [this.registry],
  });

  webhookChecked(gateway: Gateway, result: string): void {
    this.webhooks.inc({ gateway, result });
  }
}

/** What the worker's metrics need from outside: the database's view of expiries, read when Prometheus scrapes. */
export interface WorkerMetricSources {
  /** `expires_at` of the oldest purchase still active past it, or null when none is. */
  oldestOverdueExpiry(): Promise<Date | null>;
}

/** The worker's metrics: purchases, gateway and RouterOS calls, reconciliation, expiries. */
export class WorkerMetrics extends ProcessMetrics {
  private readonly purchases = new Counter<'gateway' | 'outcome'>({
    name: 'pagos_purchases_total',
    help: 'Purchases that reached their outcome, by gateway and outcome (active = sold; declined, failed, cancelled, refunded, revoked).',
    labelNames: ['gateway', 'outcome'],
    registers: [this.registry],
  });

  private readonly outcomeSeconds = new Histogram<'gateway' | 'outcome'>({
    name: 'pagos_purchase_outcome_seconds',
    help: 'Time from the purchase request to its outcome, by gateway and outcome.',
    labelNames: ['gateway', 'outcome'],
    buckets: OUTCOME_SECONDS,
    registers: [this.registry],
  });

  private readonly expiryLag = new Histogram({
    name: 'pagos_purchase_expiry_lag_seconds',
    help: 'Time from a purchase\'s expires_at to the removal of its access from the router.',
    buckets: LAG_SECONDS,
    registers: [this.registry],
  });

  private readonly gatewayCalls = new Counter<'gateway' | 'operation'>({
    name: 'pagos_gateway_calls_total',
    help: 'Calls to a payment gateway, by gateway and operation.',
    labelNames: ['gateway', 'operation'],
    registers: [this.registry],
  });

  private readonly gatewayErrors = new Counter<'gateway' | 'operation' | 'kind'>({
    name: 'pagos_gateway_errors_total',
    help: 'Failed gateway calls, by gateway, operation and kind: unavailable (no answer, timeout, 5xx, 429), rejected, not_configured (credentials), not_found, other.',
    labelNames: ['gateway', 'operation', 'kind'],
    registers: [this.registry],
  });

  private readonly gatewaySeconds = new Histogram<'gateway' | 'operation'>({
    name: 'pagos_gateway_call_duration_seconds',
    help: 'Time a gateway call took, failures included, by gateway and operation.',
    labelNames: ['gateway', 'operation'],
    buckets: CALL_SECONDS,
    registers: [this.registry],
  });

  private readonly routerCommands = new Counter<'router_id' | 'result'>({
    name: 'pagos_router_commands_total',
    help: 'RouterOS commands by router and result: ok, or the failure kind (unreachable, timeout, login_refused, not_allowed: the router was not reached; not_found, already_exists, invalid_argument, unknown: its answer).',
    labelNames: ['router_id', 'result'],
    registers: [this.registry],
  });

  private readonly routerSeconds = new Histogram<'command'>({
    name: 'pagos_router_command_duration_seconds',
    help: 'Time to the answer of a RouterOS command (waiting for a free slot and the login included), by command path.',
    labelNames: ['command'],
    buckets: CALL_SECONDS,
    registers: [this.registry],
  });

  private readonly reconcileFindings = new Counter<'finding'>({
    name: 'pagos_reconcile_findings_total',
    help: 'What reconciliation found: user_removed (a user outlived its purchase), unknown_user (tagged with a purchase this database does not know; reported every run), abandoned_closed (a purchase whose workflow never started).',
    labelNames: ['finding'],
    registers: [this.registry],
  });

  /** Latest news of each router this worker talked to: whether it was reached, and when. */
  private readonly routers = new Map<string, { unreachable: boolean; at: number }>();

  constructor(sources?: WorkerMetricSources) {
    super();
    const routers = this.routers;
    new Gauge({
      name: 'pagos_routers_unreachable',
      help: `Routers whose latest command from this worker, in the last ${UNREACHABLE_MEMORY_MS / 60_000} minutes, could not reach them.`,
      registers: [this.registry],
      collect() {
        const since = Date.now() - UNREACHABLE_MEMORY_MS;
        let count = 0;
        for (const [id, news] of routers) {
          if (news.at < since) routers.delete(id);
          else if (news.unreachable) count += 1;
        }
        this.set(count);
      },
    });
    new Gauge({
      name: 'pagos_expiry_overdue_seconds',
      help: 'How long the oldest purchase still active past its expires_at has been overdue (0 when none is): access a router still grants that was not paid for.',
      registers: [this.registry],
      async collect() {
        if (!sources) return;
        try {
          const oldest = await sources.oldestOverdueExpiry();
          this.set(oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0);
        } catch {
          this.reset(); // the database did not answer: no value rather than a wrong one
        }
      },
    });
  }

  /** A purchase's status changed (recorded once per change): counts outcomes, their time, and expiry lag. */
  purchaseStatusChanged(change: { gateway: PurchaseGateway; from: PurchaseStatus; to: PurchaseStatus; createdAt: Date; expiresAt: Date | null }): void {
    const now = Date.now();
    if (IN_SALE.has(change.from) && OUTCOMES.has(change.to)) {
      const labels = { gateway: change.gateway, outcome: change.to };
      this.purchases.inc(labels);
      this.outcomeSeconds.observe(labels, (now - change.createdAt.getTime()) / 1000);
    }
    if (change.to === 'expired' && change.expiresAt) this.expiryLag.observe(Math.max(0, (now - change.expiresAt.getTime()) / 1000));
  }

  /** One gateway call, with the kind of its failure when it failed. */
  gatewayCall(gateway: Gateway, operation: GatewayOperation, seconds: number, failure?: string): void {
    this.gatewayCalls.inc({ gateway, operation });
    this.gatewaySeconds.observe({ gateway, operation }, seconds);
    if (failure) this.gatewayErrors.inc({ gateway, operation, kind: failure });
  }

  /** One RouterOS command, with the kind of its failure when it failed (RouterOsClient's observer). */
  routerCommand(routerId: string, command: string, seconds: number, failure?: string): void {
    this.routerCommands.inc({ router_id: routerId, result: failure ?? 'ok' });
    this.routerSeconds.observe({ command }, seconds);
    const unreachable = failure !== undefined && UNREACHABLE.has(failure);
    const news = this.routers.get(routerId);
    if (news) {
      news.unreachable = unreachable;
      news.at = Date.now();
    } else {
      this.routers.set(routerId, { unreachable, at: Date.now() });
    }
  }

  reconcileFound(finding: ReconcileFinding, count: number): void {
    if (count > 0) this.reconcileFindings.inc({ finding }, count);
  }
}
