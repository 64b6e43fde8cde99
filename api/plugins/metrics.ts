import type { FastifyInstance } from 'fastify';
import type { Counter, Histogram } from 'prom-client';
import { ApiMetrics } from '../../shared/metrics';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus metrics (served at /metrics); route modules count their own events on it. */
    metrics: ApiMetrics;
  }
}

/** The series of one route and method: bound once, so answering a request costs two map lookups and no hashing. */
class RouteSeries {
  private readonly byStatus = new Map<number, Counter.Internal>();
  private readonly duration: Histogram.Internal<'method' | 'route'>;

  constructor(
    private readonly metrics: ApiMetrics,
    private readonly method: string,
    private readonly route: string,
  ) {
    this.duration = metrics.httpDuration.labels(method, route);
  }

  record(status: number, milliseconds: number): void {
    let requests = this.byStatus.get(status);
    if (!requests) {
      requests = this.metrics.httpRequests.labels(this.method, this.route, String(status));
      this.byStatus.set(status, requests);
    }
    requests.inc();
    this.duration.observe(milliseconds / 1000);
  }
}

/**
 * Prometheus metrics of the API: every request counted by method, route template (`unmatched` when no route
 * matched, so a scan of random paths adds no series) and status, and timed; `GET /metrics` serves them with the
 * process metrics. Operational numbers only, yet not for the Internet: the reverse proxy keeps /metrics internal.
 */
export function registerMetrics(app: FastifyInstance): void {
  const metrics = new ApiMetrics();
  app.decorate('metrics', metrics);
  const routes = new Map<string, Map<string, RouteSeries>>();

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    let byMethod = routes.get(route);
    if (!byMethod) routes.set(route, (byMethod = new Map()));
    let series = byMethod.get(request.method);
    if (!series) byMethod.set(request.method, (series = new RouteSeries(metrics, request.method, route)));
    series.record(reply.statusCode, reply.elapsedTime);
    done();
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const text = await metrics.text();
    return reply.type(metrics.contentType).send(text);
  });
}
