import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from '../shared/logger';

/**
 * PostgreSQL LISTEN/NOTIFY between the processes sharing a database: `notify` sends a message on a channel (delivered
 * when the sender's transaction commits, to every listener, the sender's own included); `Listener` keeps one
 * connection of its own listening, and reconnects after a drop.
 */

/**
 * The channel admin changes are announced on. The payload names what changed, by the cache it makes stale:
 * `router-keys` (a router, one of its keys or its company changed: the API's key cache and the worker's router cache),
 * `catalog` (a product changed).
 */
export const ADMIN_CHANGES_CHANNEL = 'pagos_hotspot_cache_changes';
export type SharedCache = 'router-keys' | 'catalog';

export async function notify(dataSource: Pick<DataSource, 'query'>, channel: string, payload: string): Promise<void> {
  await dataSource.query(`SELECT pg_notify($1, $2)`, [channel, payload]);
}

export interface ListenerOptions {
  url: string;
  channel: string;
  applicationName: string;
  logger: Pick<Logger, 'info' | 'warn'>;
  onMessage: (payload: string) => void;
  /**
   * Called once listening after a drop or a failed attempt (not on a first attempt that succeeds): whatever was sent
   * meanwhile is lost, so whoever listens must assume anything changed.
   */
  onReconnect: () => void;
  /** Wait between attempts to reconnect (default 1 s). */
  retryMs?: number;
}

/** A Listener on the database `dataSource` uses, its connection named after the pool's (`<application name>-listener`). */
export function listenerOf(dataSource: DataSource, options: Omit<ListenerOptions, 'url' | 'applicationName'>): Listener {
  const { url, extra } = dataSource.options as { url?: string; extra?: { application_name?: string } };
  return new Listener({ ...options, url: url!, applicationName: `${extra?.application_name ?? 'pagos-hotspot'}-listener` });
}

export class Listener {
  private client?: Client;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private firstAttempt = true;

  constructor(private readonly options: ListenerOptions) {}

  /** Resolves once listening, or after the first attempt failed (it then keeps trying in the background). */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const first = this.firstAttempt;
    this.firstAttempt = false;
    const { url, channel, applicationName, logger } = this.options;
    const client = new Client({ connectionString: url, application_name: applicationName, keepAlive: true, connectionTimeoutMillis: 5_000 });
    let dropped = false;
    const drop = (error?: Error) => {
      if (dropped) return;
      dropped = true;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.closed) return;
      logger.warn({ err: error }, `lost the connection listening on ${channel}: reconnecting`);
      this.retry();
    };
    client.on('error', drop);
    client.on('end', () => drop());
    client.on('notification', (message) => {
      if (message.channel === channel) this.options.onMessage(message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    } catch (error) {
      drop(error as Error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (!first) {
      logger.info(`listening on ${channel} again`);
      this.options.onReconnect();
    }
  }

  private retry(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), this.options.retryMs ?? 1_000);
    this.timer.unref();
  }
}
