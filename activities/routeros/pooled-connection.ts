import { isIP, type Socket } from 'node:net';
import { DEFAULT_CIPHERS, type TLSSocket, type TlsOptions } from 'node:tls';
import { RouterOSAPI } from 'node-routeros';
import type { Logger } from '../../shared/logger';
import type { RouterEndpointPolicy } from '../../shared/router-endpoints';
import { classifyRouterOsError, isRouterOsError, RouterOsError, type RouterOsErrorDetails } from './errors';
import { patchNodeRouterOs } from './library-patch';

patchNodeRouterOs();

/**
 * One connection to one router through node-routeros: the address checked, TLS as the row asks (a pinned certificate,
 * anonymous DH for a router without one), the login and every command bounded, and the library's loose ends (timers,
 * late socket errors) tied. The pool of these, one per router, is RouterOsClient in client.ts.
 */

/** How to reach one router (a `routers` row); the password is already decrypted by the caller. */
export interface RouterConnection {
  id: string;
  host: string;
  port: number;
  /** API-SSL (8729, or any port the row names). */
  useTls: boolean;
  /** Verify the certificate chain and name; false accepts a self-signed certificate or none (anonymous DH). */
  tlsVerify: boolean;
  /** SHA-256 of the router's certificate (hex, colons optional): the connection is refused unless it matches. */
  tlsFingerprint?: string | null;
  user: string;
  password: string;
}

/** What one connection needs to know (RouterOsClientOptions holds these). */
export interface ConnectionOptions {
  /** TCP connect + TLS + API login. */
  connectTimeoutMs: number;
  /** One command, waiting for a free slot included. A call fails within connectTimeoutMs + commandTimeoutMs. */
  commandTimeoutMs: number;
  /** A connection with nothing to do for this long is closed. */
  idleCloseMs: number;
  /** Where routers may be (ROUTER_ALLOWED_NETWORKS): checked on the resolved address before every new connection. */
  endpoints: RouterEndpointPolicy;
  logger?: Pick<Logger, 'debug' | 'warn'>;
}

/** One `!re` row, or the attributes of `!done` (node-routeros returns both in one list: `add` gives `[{ ret }]`). */
export type RouterOsRow = Record<string, string>;

/**
 * The parts of node-routeros 1.6.9 that its public API does not reach: its socket (watched for the certificate pin and
 * errors, destroyed to stop a connection in any state) and its keep-alive timers (cleared, or they keep running).
 */
interface ApiInternals {
  connector?: { socket?: Socket; destroy(): void } | null;
  connectionHoldInterval?: NodeJS.Timeout;
  keptaliveby?: NodeJS.Timeout;
}

const ANONYMOUS_DH = ['ADH-AES256-GCM-SHA384', 'ADH-AES128-SHA256', 'ADH-AES256-SHA', 'ADH-AES128-SHA'];
/** Stops a connection for good, whatever state the library is in: its timers, its socket, and late socket errors. */
function disposeApi(api: RouterOSAPI): void {
  const internals = api as unknown as ApiInternals;
  clearTimeout(internals.connectionHoldInterval);
  clearTimeout(internals.keptaliveby);
  const connector = internals.connector;
  if (!connector) return;
  // Keeps a listener for the socket errors still to come (library-patch.ts).
  connector.destroy();
}

/** Settles like `promise`, or rejects with `onTimeout()` after `ms`; the loser never becomes an unhandled rejection. */
function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => RouterOsError): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, ms));
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

function tlsOptions(router: RouterConnection): TlsOptions | undefined {
  if (!router.useTls) return undefined;
  // The socket goes to the checked address, so the certificate is checked against the row's name (and SNI sent).
  if (router.tlsVerify) return { rejectUnauthorized: true, ...(isIP(router.host) === 0 ? { servername: router.host } : {}) };
  // A router without a certificate only speaks anonymous DH: TLS 1.2 at most, OpenSSL security level 0, and Node's
  // default list minus its `!aNULL` exclusion (RouterOS offers nothing else without one). A pinned fingerprint still
  // rejects such a router.
  const defaults = DEFAULT_CIPHERS.split(':').filter((cipher) => cipher !== '!aNULL');
  const ciphers = [...ANONYMOUS_DH, ...defaults, '@SECLEVEL=0'].join(':');
  return { rejectUnauthorized: false, maxVersion: 'TLSv1.2', ciphers };
}

/** One logged-in node-routeros connection, or one on its way; dead for good once anything goes wrong with it. */
export class PooledConnection {
  dead: RouterOsError | undefined;
  readonly ready: Promise<void>;
  /** Resolves once the socket is really gone. */
  closed: Promise<void> = Promise.resolve();
  /** Created once the router's address is known and allowed. */
  private api: RouterOSAPI | undefined;
  private readonly died: Promise<never>;
  private markDied!: (reason: RouterOsError) => void;
  private socketError: (Error & { code?: string }) | undefined;
  private pinRejected: RouterOsError | undefined;

  constructor(
    private readonly router: RouterConnection,
    pin: string | undefined,
    private readonly options: ConnectionOptions,
    readonly settings: string,
  ) {
    this.died = new Promise<never>((_, reject) => (this.markDied = reject));
    this.died.catch(() => undefined);
    const context = { routerId: router.id };
    this.ready = withDeadline(
      Promise.race([this.open(pin), this.died]),
      options.connectTimeoutMs,
      () => new RouterOsError('timeout', `no API login within ${options.connectTimeoutMs} ms`, context),
    ).then(
      () => undefined,
      (error: unknown) => {
        const reason = this.pinRejected ?? classifyRouterOsError(error, context, this.socketError);
        this.kill(reason);
        throw reason;
      },
    );
    this.ready.catch(() => undefined);
  }

  /**
   * Resolves the row's host, checks the address against ROUTER_ALLOWED_NETWORKS, then connects to that very address
   * and logs in: the password only ever goes to an address the policy allows, whatever the name resolves to later.
   */
  private async open(pin: string | undefined): Promise<void> {
    const { router, options } = this;
    const context = { routerId: router.id };
    const target = await options.endpoints.resolve(router.host);
    if (this.dead) throw this.dead;
    if (!target.ok) {
      options.logger?.warn({ ...context, host: router.host, addresses: target.addresses }, 'router address refused by ROUTER_ALLOWED_NETWORKS');
      throw new RouterOsError('not_allowed', 'the router address is not allowed by ROUTER_ALLOWED_NETWORKS', context);
    }
    const api = new RouterOSAPI({
      host: target.address,
      port: router.port,
      user: router.user,
      password: router.password,
      tls: tlsOptions(router),
      // The library's socket idle timeout (seconds) must never beat our own deadlines and idle close.
      timeout: Math.ceil(Math.max(options.connectTimeoutMs, options.commandTimeoutMs, options.idleCloseMs) / 1000) + 1,
    });
    this.api = api;
    // node-routeros emits 'error' for a socket error or idle timeout after login: unheard, it would kill the process.
    api.on('error', (error: unknown) => this.kill(classifyRouterOsError(error, context, this.socketError)));
    api.on('close', () => this.kill(new RouterOsError('unreachable', 'the router closed the connection', context)));
    const login = api.connect();
    this.watchSocket(api, pin);
    await login;
  }

  /** node-routeros creates its socket synchronously in connect(): listen before the TLS handshake can finish. */
  private watchSocket(api: RouterOSAPI, pin: string | undefined): void {
    const socket = (api as unknown as ApiInternals).connector?.socket;
    const context = { routerId: this.router.id };
    if (!socket) {
      // Only if node-routeros changed: with no socket to watch, a pin cannot be enforced, so fail closed.
      if (pin) this.kill(new RouterOsError('login_refused', 'cannot check the pinned certificate', context));
      return;
    }
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    // node-routeros writes each word separately; with Nagle's algorithm every command would wait for a delayed ACK.
    socket.setNoDelay(true);
    // node-routeros keeps only the errno of a socket error; keep the whole error for classification.
    socket.prependListener('error', (error: Error) => (this.socketError ??= error));
    if (!pin) return;
    socket.prependOnceListener('secureConnect', () => {
      if ((socket as TLSSocket).getPeerCertificate().fingerprint256 === pin) return;
      this.pinRejected = new RouterOsError(
        'login_refused',
        'the router certificate does not match the pinned fingerprint',
        context,
      );
      // Runs before node-routeros's own secureConnect listener sends the login: the password never leaves.
      socket.destroy(this.pinRejected);
    });
  }

  kill(reason: RouterOsError): void {
    if (this.dead) return;
    this.dead = reason;
    this.markDied(reason);
    if (this.api) disposeApi(this.api);
  }

  /** One command with its own deadline. A timeout kills the connection: a router that stalls once is not trusted. */
  async write(path: string, words: readonly string[], timeoutMs: number): Promise<RouterOsRow[]> {
    const context = { routerId: this.router.id, command: path };
    if (this.dead || !this.api) throw withCommand(this.dead ?? new RouterOsError('unreachable', 'not connected', context), path);
    try {
      const reply = this.api.write(path, [...words]) as Promise<RouterOsRow[]>;
      return await withDeadline(
        Promise.race([reply, this.died]),
        timeoutMs,
        () => new RouterOsError('timeout', `no reply to ${path} within the deadline`, context),
      );
    } catch (error) {
      const reason = isRouterOsError(error) ? withCommand(error, path) : classifyRouterOsError(error, context);
      if (reason.kind === 'timeout') this.kill(reason);
      throw reason;
    }
  }
}

export function withCommand(error: RouterOsError, command: string): RouterOsError {
  const { kind, ...details }: RouterOsErrorDetails = error.details;
  return new RouterOsError(kind, error.message, { ...details, command }, error.code);
}
