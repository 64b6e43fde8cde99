import type { DataSource } from 'typeorm';
import type { RouterEntity } from '../../db/entities';
import { ADMIN_CHANGES_CHANNEL, listenerOf, type Listener, type SharedCache } from '../../db/notifications';
import { routerById } from '../../db/repositories/purchase-path';
import type { Logger } from '../../shared/logger';

/** How long a router's row is trusted without an announcement: the backstop for a change nobody announced. */
const ROUTER_TTL_MS = 60_000;
/** Routers are few per worker; a bound whatever happens. */
const MAX_ROUTERS = 10_000;
/** The announcement that a router (or its keys or company) changed; it also clears the API's key cache. */
const ROUTERS_CHANGED: SharedCache = 'router-keys';

/**
 * The routers' rows the worker reaches them with (host, port, API user, sealed password, TLS settings), so that the
 * steps of a purchase do not read their router each time. Every admin change to a router is announced over
 * PostgreSQL NOTIFY once committed: the cache listens on one connection of its own and forgets every router when
 * told, and again when it listens after a lost connection (announcements sent meanwhile are lost). Only active
 * routers are kept: a deactivated one is read from the database every time, a deleted one is null. The lifetime is
 * the backstop for a change that was not announced (an announcement that failed, a row edited by hand).
 */
export class RouterCache {
  private readonly entries = new Map<string, { row: Promise<RouterEntity | null>; loadedAt: number }>();
  private readonly listener: Listener;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly dataSource: DataSource,
    logger: Pick<Logger, 'info' | 'warn'>,
    options: { ttlMs?: number; now?: () => number } = {},
  ) {
    this.ttlMs = options.ttlMs ?? ROUTER_TTL_MS;
    this.now = options.now ?? Date.now;
    this.listener = listenerOf(dataSource, {
      channel: ADMIN_CHANGES_CHANNEL,
      logger,
      onMessage: (payload) => {
        if (payload === ROUTERS_CHANGED) this.invalidate();
      },
      onReconnect: () => this.invalidate(),
    });
  }

  /** Starts listening for announcements (resolves after the first attempt; a failed one keeps trying). */
  start(): Promise<void> {
    return this.listener.start();
  }

  close(): Promise<void> {
    return this.listener.close();
  }

  /**
   * The router's row (shared by every caller: read-only), or null when there is none: one read on a miss, shared by
   * every caller that asks while it runs. An announcement during the read forgets it too, so a row read before the
   * change is never kept.
   */
  get(routerId: string): Promise<RouterEntity | null> {
    const cached = this.entries.get(routerId);
    if (cached && this.now() - cached.loadedAt < this.ttlMs) return cached.row;
    this.entries.delete(routerId);
    if (this.entries.size >= MAX_ROUTERS) this.entries.delete(this.entries.keys().next().value!);
    const entry = { row: routerById(this.dataSource, routerId), loadedAt: this.now() };
    this.entries.set(routerId, entry);
    const forget = () => {
      if (this.entries.get(routerId) === entry) this.entries.delete(routerId);
    };
    entry.row.then((row) => row?.active || forget(), forget);
    return entry.row;
  }

  /** The router's row read now (what an admin asks to be tested must be what is saved), kept for the next `get`. */
  reload(routerId: string): Promise<RouterEntity | null> {
    this.entries.delete(routerId);
    return this.get(routerId);
  }

  /** Forgets every router. */
  invalidate(): void {
    this.entries.clear();
  }
}
