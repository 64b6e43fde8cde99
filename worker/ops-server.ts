import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkerMetrics } from '../shared/metrics';
import { probe } from '../shared/probe';

export interface OpsServerOptions {
  host: string;
  port: number;
  metrics: WorkerMetrics;
  /** The Temporal SDK's own Prometheus exporter, appended to our metrics. */
  temporalMetricsUrl: string;
  /** What readiness needs, by name: each resolves when up and rejects (or does not answer in time) when down. */
  checks: Record<string, () => Promise<unknown>>;
}

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The worker's operations endpoints on WORKER_METRICS_PORT: `/metrics` (ours, then the Temporal SDK's worker metrics:
 * one scrape target per worker), `/health` (liveness: the process answers) and `/ready` (readiness: 200 once every
 * check is up, else 503 naming what is down). Nothing else is served.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const json = (response: ServerResponse, status: number, body: unknown) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  const server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (request.method !== 'GET') return json(response, 405, { detail: 'Método no permitido' });
    if (path === '/health') return json(response, 200, { status: 'alive' });
    if (path === '/ready') {
      void readiness(options.checks).then((report) => json(response, report.status === 'ready' ? 200 : 503, report));
      return;
    }
    if (path === '/metrics') {
      void Promise.all([options.metrics.text(), sdkMetrics(options.temporalMetricsUrl)]).then(
        ([ours, sdk]) => response.writeHead(200, { 'content-type': options.metrics.contentType }).end(ours + sdk),
        () => json(response, 500, { detail: 'Métricas no disponibles' }),
      );
      return;
    }
    json(response, 404, { detail: 'No encontrado' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // Prometheus keeps its connection open between scrapes
      }),
  };
}

async function readiness(checks: OpsServerOptions['checks']): Promise<Record<string, string>> {
  const results = await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await probe(check)] as const));
  return { status: results.every(([, state]) => state === 'up') ? 'ready' : 'not_ready', ...Object.fromEntries(results) };
}

/** The SDK exporter's text, or nothing when it does not answer (ours are still served). */
async function sdkMetrics(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}
