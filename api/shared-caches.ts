import type { DataSource } from 'typeorm';
import { ADMIN_CHANGES_CHANNEL, listenerOf, notify, type Listener, type SharedCache } from '../db/notifications';
import type { Logger } from '../shared/logger';

/**
 * Keeps the caches of every API process in step with admin changes: the process that makes a change forgets its own
 * cache at once and announces it over PostgreSQL NOTIFY; every process listens on one connection of its own and
 * forgets the named cache when told. After a lost connection everything is forgotten (announcements sent meanwhile
 * are lost). The caches keep their own short lifetimes as a backstop.
 */
export class SharedCaches {
  private readonly listener: Listener;

  constructor(
    private readonly deps: { dataSource: DataSource; logger: Pick<Logger, 'info' | 'warn'> },
    private readonly caches: Record<SharedCache, { invalidate(): void }>,
  ) {
    this.listener = listenerOf(deps.dataSource, {
      channel: ADMIN_CHANGES_CHANNEL,
      logger: deps.logger,
      onMessage: (payload) => {
        if (payload in this.caches) this.caches[payload as SharedCache].invalidate();
      },
      onReconnect: () => Object.values(this.caches).forEach((cache) => cache.invalidate()),
    });
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  /** After an admin change was committed: forgets it here now and tells every API process. */
  async changed(cache: SharedCache): Promise<void> {
    this.caches[cache].invalidate();
    try {
      await notify(this.deps.dataSource, ADMIN_CHANGES_CHANNEL, cache);
    } catch (error) {
      // The change itself is saved; the other processes see it when their cache expires.
      this.deps.logger.warn({ err: error, cache }, 'could not announce a cache change to the other API processes');
    }
  }

  close(): Promise<void> {
    return this.listener.close();
  }
}
