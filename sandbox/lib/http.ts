/**
 * The small HTTP layer the gateway and Telegram simulators share: routing, JSON bodies, added latency, outages,
 * requests that never get an answer, a per-account rate limit and a count of the API calls received. Loopback only.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimiter } from './rate-limit';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** Parsed JSON (or form) body; undefined when empty or unparsable. */
  body: unknown;
  /** The route pattern's capture groups. */
  params: string[];
}

export interface SimResponse {
  status: number;
  body?: unknown;
  /** Sent as text/html instead of JSON. */
  html?: string;
  headers?: Record<string, string>;
}

/** Returned by a handler to leave the request unanswered (a gateway that times out). */
export const NO_ANSWER = Symbol('no answer');

export type Handler = (req: SimRequest) => SimResponse | typeof NO_ANSWER | Promise<SimResponse | typeof NO_ANSWER>;

export interface Route {
  method: string;
  path: RegExp;
  handler: Handler;
}

/** Whole-API failure switch: every API call (not the `/__sim` control routes) fails this way until cleared. */
export type Outage = 'error' | 'timeout' | null;

/** One API call as the simulator received it (control routes are not counted). */
export interface ApiCall {
  method: string;
  /** The path with each captured id replaced by `:id` (`/orders/:id/refunds`). */
  route: string;
  /** The query string as sent (`limit=250&created_at.gte=…`), to check which parameters a client uses. */
  query: string;
  status: number | undefined;
}

/** API calls received: counts per route since the start (or the last reset), and the most recent ones. */
export interface ApiCallLog {
  total: number;
  byRoute: Record<string, number>;
  /** The last 1,000 calls, oldest first. */
  recent: ApiCall[];
}

export interface HttpSimulator {
  url: string;
  port: number;
  setLatency(ms: number): void;
  setOutage(mode: Outage): void;
  /** Requests per second each account (bearer token) may make; null = unlimited. */
  setRateLimit(perSecond: number | null): void;
  rateLimit(): number | null;
  calls(): ApiCallLog;
  resetCalls(): void;
  close(): Promise<void>;
}

export interface HttpSimulatorOptions {
  port?: number;
  latencyMs?: number;
  /** Gateway API routes: latency and outages apply. */
  routes: Route[];
  /** `/__sim/…` control routes: never delayed, never failed. */
  controlRoutes?: Route[];
  /** The body an outage answers with, in the imitated API's error shape. */
  outageBody?: unknown;
  /** Requests per second each account (bearer token) may make to the API routes; null or absent = unlimited. */
  rateLimitPerSecond?: number | null;
  /** The body a 429 answers with, in the imitated API's error shape. */
  rateLimitedBody?: unknown;
}

const RECENT_CALLS = 1_000;

export function json(status: number, body: unknown): SimResponse {
  return { status, body };
}

export function route(method: string, path: RegExp, handler: Handler): Route {
  return { method, path, handler };
}

/** Starts an HTTP server on 127.0.0.1 (port 0 = any free port). */
export async function startHttpSimulator(options: HttpSimulatorOptions): Promise<HttpSimulator> {
  let latencyMs = options.latencyMs ?? 0;
  let outage: Outage = null;
  const limiter = new RateLimiter(options.rateLimitPerSecond ?? null);
  let log: ApiCallLog = { total: 0, byRoute: {}, recent: [] };

  function count(method: string, path: string, params: string[], query: string, status: number | undefined): void {
    const template = path
      .split('/')
      .map((segment) => (segment && params.includes(decodeURIComponent(segment)) ? ':id' : segment))
      .join('/');
    const routeName = `${method} ${template}`;
    log.total += 1;
    log.byRoute[routeName] = (log.byRoute[routeName] ?? 0) + 1;
    log.recent.push({ method, route: template, query, status });
    if (log.recent.length > RECENT_CALLS) log.recent.splice(0, log.recent.length - RECENT_CALLS);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, json(500, { message: error instanceof Error ? error.message : String(error) }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const match = (routes: Route[]) => {
      for (const r of routes) {
        const m = r.method === method ? r.path.exec(url.pathname) : null;
        if (m) return { route: r, params: m.slice(1).map(decodeURIComponent) };
      }
      return undefined;
    };
    const control = match(options.controlRoutes ?? []);
    const found = control ?? match(options.routes);
    if (!found) return send(res, json(404, { message: `no route for ${method} ${url.pathname}` }));
    const query = url.search.replace(/^\?/, '');
    if (!control) {
      if (latencyMs > 0) await sleep(latencyMs);
      if (outage === 'timeout') return count(method, url.pathname, found.params, query, undefined);
      if (outage === 'error') {
        count(method, url.pathname, found.params, query, 503);
        return send(res, json(503, options.outageBody ?? { message: 'service unavailable' }));
      }
      const retryAfter = limiter.take(req.headers.authorization ?? '');
      if (retryAfter !== undefined) {
        count(method, url.pathname, found.params, query, 429);
        const body = options.rateLimitedBody ?? { message: 'too many requests' };
        return send(res, { status: 429, body, headers: { 'retry-after': String(retryAfter) } });
      }
    }
    const request: SimRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      body: parseBody(rawBody, req.headers['content-type']),
      params: found.params,
    };
    const answer = await found.route.handler(request);
    if (!control) count(method, url.pathname, found.params, query, answer === NO_ANSWER ? undefined : answer.status);
    if (answer !== NO_ANSWER) send(res, answer);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    setOutage(mode) {
      outage = mode;
    },
    setRateLimit: (perSecond) => limiter.set(perSecond),
    rateLimit: () => limiter.get(),
    calls: () => ({ total: log.total, byRoute: { ...log.byRoute }, recent: [...log.recent] }),
    resetCalls() {
      log = { total: 0, byRoute: {}, recent: [] };
    },
    close() {
      // Unanswered requests and keep-alive sockets would otherwise hold close() open forever.
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, answer: SimResponse): void {
  if (answer.html !== undefined) {
    res.writeHead(answer.status, { 'content-type': 'text/html; charset=utf-8', ...answer.headers });
    res.end(answer.html);
    return;
  }
  const payload = answer.body === undefined ? '' : JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
  res.end(payload);
}

/** Reads a JSON object body field by field without trusting its shape. */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Wraps an API handler with the gateways' bearer-token check: any token passes unless `expected` is set, and a
 * missing or different one gets `unauthorized`.
 */
export function withBearer(expected: string | undefined, unauthorized: SimResponse, handler: Handler): Handler {
  return (req) => {
    const token = bearerToken(req);
    return token !== undefined && (expected === undefined || token === expected) ? handler(req) : unauthorized;
  };
}

/** The request's bearer token: the account a gateway call acts for (each key or access token is its own account). */
export function bearerToken(req: SimRequest): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** A header's single value (Node joins or arrays repeated headers). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
