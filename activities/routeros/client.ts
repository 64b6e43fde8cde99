import { createHash } from 'node:crypto';
import { classifyRouterOsError, isRouterOsError, RouterOsError, type RouterOsErrorKind } from './errors';
import { PooledConnection, type ConnectionOptions, type RouterConnection, type RouterOsRow } from './pooled-connection';

export type { RouterConnection, RouterOsRow } from './pooled-connection';

export interface RouterOsClientOptions extends ConnectionOptions {
  /** Commands in flight on one router's connection; the rest wait in line. */
  maxConcurrentPerRouter: number;
  /** Told of every command once it is answered or failed (the worker's metrics). */
  observer?: RouterCommandObserver;
}

export interface RouterCommandObserver {
  /** `seconds` from the call to its end, waiting for a slot and the login included; `failure` is the error's kind. */
  routerCommand(routerId: string, command: string, seconds: number, failure?: RouterOsErrorKind): void;
}

const COMMAND_PATH = /^(\/[a-z0-9-]+)+$/;
const FINGERPRINT = /^[0-9A-F]{64}$/;

function normalizeFingerprint(value: string): string | undefined {
  const hex = value.replace(/:/g, '').toUpperCase();
  return FINGERPRINT.test(hex) ? hex.replace(/(..)(?!$)/g, '$1:') : undefined;
}

function checkRouter(router: RouterConnection): string | undefined {
  const invalid = (what: string) =>
    new RouterOsError('invalid_argument', `invalid router ${what}`, { routerId: router.id });
  if (!router.id) throw invalid('id');
  if (!/^[A-Za-z0-9.:-]{1,255}$/.test(router.host)) throw invalid('host');
  if (!Number.isInteger(router.port) || router.port < 1 || router.port > 65535) throw invalid('port');
  if (!router.user) throw invalid('API user');
  if (!router.tlsFingerprint) return undefined;
  const pin = normalizeFingerprint(router.tlsFingerprint);
  if (!pin) throw invalid('TLS fingerprint (expected SHA-256 in hex)');
  return pin;
}

/** Everything that makes two rows reach a router differently; a change replaces the pooled connection. */
function settingsOf(router: RouterConnection): string {
  const { host, port, useTls, tlsVerify, tlsFingerprint, user, password } = router;
  return createHash('sha256')
    .update(JSON.stringify([host, port, useTls, tlsVerify, tlsFingerprint ?? null, user, password]))
    .digest('hex');
}

interface Waiter {
  grant(): void;
  fail(error: RouterOsError): void;
}

interface RouterEntry {
  connection?: PooledConnection;
  /** Commands holding a slot. */
  active: number;
  waiters: Waiter[];
  idleTimer?: NodeJS.Timeout;
}

/**
 * RouterOS API client for many routers: one pooled connection per router id, opened on first use, replaced after any
 * failure, closed when idle; at most `maxConcurrentPerRouter` commands in flight per router; every call bounded.
 */
export class RouterOsClient {
  private readonly routers = new Map<string, RouterEntry>();
  private closed = false;

  constructor(private readonly options: RouterOsClientOptions) {
    const { connectTimeoutMs, commandTimeoutMs, maxConcurrentPerRouter, idleCloseMs } = options;
    const limits = [connectTimeoutMs, commandTimeoutMs, maxConcurrentPerRouter, idleCloseMs];
    if (!limits.every((n) => Number.isInteger(n) && n > 0)) {
      throw new RangeError('RouterOsClient options must be positive integers');
    }
  }

  /**
   * Sends one command (`/ip/hotspot/user/print`) with attribute and query words (`=name=x`, `?name=x`). Resolves with
   * the rows; rejects with a classified RouterOsError. Not retried here: only the caller knows whether a retry is safe.
   */
  async command(router: RouterConnection, path: string, words: readonly string[] = []): Promise<RouterOsRow[]> {
    const pin = checkRouter(router);
    if (!COMMAND_PATH.test(path) || !words.every((word) => /^[=?]/.test(word))) {
      throw new RouterOsError('invalid_argument', 'malformed RouterOS command', { routerId: router.id });
    }
    if (this.closed) throw new RouterOsError('unreachable', 'the RouterOS client is closed', { routerId: router.id });
    const context = { routerId: router.id, command: path };
    const called = performance.now();
    const observe = (failure?: RouterOsErrorKind) =>
      this.options.observer?.routerCommand(router.id, path, (performance.now() - called) / 1000, failure);
    const deadline = Date.now() + this.options.commandTimeoutMs;
    const entry = this.entry(router.id);
    try {
      await this.acquire(entry, deadline, router.id, path);
    } catch (error) {
      observe((error as RouterOsError).kind);
      throw error;
    }
    const started = Date.now();
    try {
      const connection = this.connectionFor(entry, router, pin);
      await connection.ready;
      const left = deadline - Date.now();
      // Spent waiting for a slot and the login: fail this call, but the fresh connection is fine.
      if (left <= 0) throw new RouterOsError('timeout', `no time left to send ${path}`, context);
      const rows = await connection.write(path, words, left);
      observe();
      return rows;
    } catch (error) {
      const reason = isRouterOsError(error) ? error : classifyRouterOsError(error, context);
      if (reason.retryable) {
        const ms = Date.now() - started;
        this.options.logger?.warn({ ...context, kind: reason.kind, ms }, 'RouterOS command failed');
      }
      observe(reason.kind);
      throw reason;
    } finally {
      this.release(router.id, entry);
    }
  }

  /** Closes every connection and fails every waiting call; resolves when the sockets are gone. Not reusable. */
  async close(): Promise<void> {
    this.closed = true;
    const reason = new RouterOsError('unreachable', 'the RouterOS client is closed');
    const sockets: Promise<void>[] = [];
    for (const entry of this.routers.values()) {
      clearTimeout(entry.idleTimer);
      for (const waiter of entry.waiters.splice(0)) waiter.fail(reason);
      entry.connection?.kill(reason);
      if (entry.connection) sockets.push(entry.connection.closed);
    }
    this.routers.clear();
    await Promise.all(sockets);
  }

  private entry(routerId: string): RouterEntry {
    let entry = this.routers.get(routerId);
    if (!entry) {
      entry = { active: 0, waiters: [] };
      this.routers.set(routerId, entry);
    }
    clearTimeout(entry.idleTimer);
    return entry;
  }

  private connectionFor(entry: RouterEntry, router: RouterConnection, pin: string | undefined): PooledConnection {
    const settings = settingsOf(router);
    const current = entry.connection;
    if (current && !current.dead && current.settings === settings) return current;
    current?.kill(new RouterOsError('unreachable', 'connection replaced', { routerId: router.id }));
    const connection = new PooledConnection(router, pin, this.options, settings);
    entry.connection = connection;
    void connection.ready.then(
      () => this.options.logger?.debug({ routerId: router.id }, 'RouterOS connection opened'),
      () => undefined, // the callers waiting on `ready` get the failure
    );
    return connection;
  }

  private acquire(entry: RouterEntry, deadline: number, routerId: string, path: string): Promise<void> {
    if (entry.active < this.options.maxConcurrentPerRouter) {
      entry.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        entry.waiters.splice(entry.waiters.indexOf(waiter), 1);
        const context = { routerId, command: path };
        reject(new RouterOsError('timeout', 'no free slot for the router within the deadline', context));
      }, deadline - Date.now());
      entry.waiters.push(waiter);
    });
  }

  /** Hands the slot to the next waiter, or starts the idle countdown when the router has nothing left to do. */
  private release(routerId: string, entry: RouterEntry): void {
    const next = entry.waiters.shift();
    if (next) return next.grant();
    entry.active--;
    if (entry.active > 0 || this.closed) return;
    entry.idleTimer = setTimeout(() => {
      if (entry.active > 0 || this.routers.get(routerId) !== entry) return;
      this.routers.delete(routerId);
      entry.connection?.kill(new RouterOsError('unreachable', 'closed after being idle', { routerId }));
      this.options.logger?.debug({ routerId }, 'RouterOS connection closed (idle)');
    }, this.options.idleCloseMs);
    entry.idleTimer.unref();
  }
}
