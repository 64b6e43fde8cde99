import type { DataSource } from 'typeorm';
import { claimNotices, deleteNotices, postponeNotices, type ClaimedNotice } from '../../db/repositories/operator-notices';
import type { Logger } from '../../shared/logger';
import type { SecretBox } from '../../shared/secrets';
import { notifiesOperators, operatorMessage, telegramTarget } from './notices';
import type { TelegramNotifier, TelegramTarget } from './telegram';

/** Tries of one notice and the wait before the second, doubling after: the notify activity's retry policy when it sent. */
export const NOTICE_MAX_ATTEMPTS = 3;
const FIRST_BACKOFF_MS = 2_000;

const POLL_MS = 1_000;
const BATCH_SIZE = 16;
const CONCURRENCY = 4;
/**
 * How long a claimed notice is left to its sender. A batch takes at most BATCH_SIZE / CONCURRENCY sends one after
 * the other, each bounded by the notifier's timeout (10 s): well within this.
 */
const LEASE_MS = 120_000;

export interface NoticeSenderOptions {
  dataSource: DataSource;
  secrets: SecretBox;
  telegram: TelegramNotifier;
  logger: Logger;
  /** How often due notices are looked for; a full batch is followed by the next at once. */
  pollMs?: number;
  leaseMs?: number;
  batchSize?: number;
  /** Messages of one batch sent at the same time. */
  concurrency?: number;
  /** The wait after a first failed try; it doubles with each further one. */
  backoffMs?: number;
}

/**
 * Sends the operator notices (the `operator_notices` outbox) to the companies' Telegram chats, in the worker: every
 * `pollMs` it claims the due ones, sends them, and deletes those that are done; a send Telegram may take later (a
 * timeout, a 429 or 5xx) is tried again with backoff, up to NOTICE_MAX_ATTEMPTS. Delivery is at least once: a sender
 * that stops between a send and its delete (killed, or its database gone) leaves the notice to be sent again once
 * its lease ends, by whichever replica claims it first. Notices never hold a purchase back; a company with Telegram
 * off has its notices deleted unsent.
 */
export class NoticeSender {
  private readonly log: Logger;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly backoffMs: number;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;

  constructor(private readonly options: NoticeSenderOptions) {
    this.log = options.logger.child({ component: 'notice-sender' });
    this.pollMs = options.pollMs ?? POLL_MS;
    this.leaseMs = options.leaseMs ?? LEASE_MS;
    this.batchSize = options.batchSize ?? BATCH_SIZE;
    this.concurrency = options.concurrency ?? CONCURRENCY;
    this.backoffMs = options.backoffMs ?? FIRST_BACKOFF_MS;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.next(0);
  }

  /** Stops polling; resolves once the batch in flight is sent and written back. */
  async close(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.pass;
  }

  private next(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.pass = this.sendDue()
        .catch((error: unknown) => {
          // The database did not answer: what was claimed is taken again after its lease.
          this.log.warn({ err: error }, 'operator notices not claimed or not written back');
          return 0;
        })
        .then((claimed) => {
          if (this.running) this.next(claimed === this.batchSize ? 0 : this.pollMs);
        });
    }, delayMs);
  }

  /** One batch: claims the due notices, sends them, writes back what became of them. How many it claimed. */
  async sendDue(): Promise<number> {
    const { dataSource } = this.options;
    const notices = await claimNotices(dataSource, { limit: this.batchSize, leaseMs: this.leaseMs });
    if (notices.length === 0) return 0;
    const outcomes = await bounded(notices, this.concurrency, (notice) => this.deliver(notice));
    const idsOf = (outcome: 'done' | 'later') => notices.filter((_, i) => outcomes[i] === outcome).map((notice) => notice.id);
    await Promise.all([deleteNotices(dataSource, idsOf('done')), postponeNotices(dataSource, idsOf('later'), this.backoffMs)]);
    return notices.length;
  }

  /** Sends one notice: done (sent, or not to be sent), or later (a try Telegram may take next time). */
  private async deliver({ notice, attempts, purchase, company }: ClaimedNotice): Promise<'done' | 'later'> {
    if (!notifiesOperators(company)) return 'done';
    const about = { purchaseId: purchase.id, companyId: company.id, notice, attempts };
    let message: { target: TelegramTarget; html: string };
    try {
      message = { target: telegramTarget(company, this.options.secrets), html: operatorMessage(notice, purchase, company, this.options.secrets) };
    } catch (error) {
      // A stored secret that does not decrypt (SECRET_KEY changed) or a notice of a newer release: no retry cures it.
      this.log.warn({ ...about, err: error }, 'operator notice dropped');
      return 'done';
    }
    const result = await this.options.telegram.send(message.target, message.html);
    if (result.sent) return 'done';
    const { reason, retryable, httpStatus, description } = result;
    if (retryable && attempts < NOTICE_MAX_ATTEMPTS) return 'later';
    this.log.warn({ ...about, reason, httpStatus, description }, retryable ? 'operator notice given up' : 'operator notice dropped');
    return 'done';
  }
}

/** `fn` over every item, at most `limit` at a time; results in the items' order. */
async function bounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
