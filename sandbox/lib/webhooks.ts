/**
 * Webhook delivery shared by the gateway simulators. Each simulator builds its own event body and signature; this
 * sends them in order, and on request duplicates them, holds them for out-of-order delivery, or replays one.
 */

export interface OutgoingWebhook {
  /** The provider's event id (Conekta event id, Mercado Pago notification id): duplicates and replays repeat it. */
  eventId: string;
  type: string;
  /** Where it goes; undefined when no URL is configured (recorded, never sent). */
  url: string | undefined;
  body: string;
  /** Signed headers, made at each send: Mercado Pago signs a fresh timestamp and request id every time. */
  headers(): Record<string, string>;
}

export interface WebhookDelivery {
  eventId: string;
  type: string;
  url: string | undefined;
  /** HTTP status of the receiver's answer; 0 when unreachable; undefined when there was no URL. */
  status: number | undefined;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookSettings {
  /** Send every event twice in a row. */
  duplicate: boolean;
  /** Queue events until deliverHeld() (to deliver them out of order). */
  hold: boolean;
  /** Lose every event: recorded in events(), never sent, not held (a receiver that never hears of it). */
  drop: boolean;
}

/** Events and deliveries kept for inspection and replays: the most recent ones, so a long run stays small. */
const KEPT = 10_000;

function keepRecent<T>(list: T[]): void {
  if (list.length > KEPT) list.splice(0, list.length - KEPT);
}

export class WebhookDispatcher {
  private settings: WebhookSettings = { duplicate: false, hold: false, drop: false };
  private readonly sent: OutgoingWebhook[] = [];
  private held: OutgoingWebhook[] = [];
  private readonly log: WebhookDelivery[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly timeoutMs = 5_000) {}

  configure(settings: Partial<WebhookSettings>): WebhookSettings {
    this.settings = { ...this.settings, ...settings };
    return { ...this.settings };
  }

  enqueue(webhook: OutgoingWebhook): void {
    this.sent.push(webhook);
    keepRecent(this.sent);
    if (this.settings.drop) return;
    if (this.settings.hold) this.held.push(webhook);
    else this.schedule(webhook, this.settings.duplicate ? 2 : 1);
  }

  /** Sends the held events, oldest first or newest first, and stops holding. */
  deliverHeld(order: 'oldest_first' | 'newest_first' = 'oldest_first'): Promise<WebhookDelivery[]> {
    const batch = order === 'newest_first' ? [...this.held].reverse() : this.held;
    this.held = [];
    this.settings.hold = false;
    const made: WebhookDelivery[] = [];
    for (const webhook of batch) this.schedule(webhook, this.settings.duplicate ? 2 : 1, made);
    return this.settled().then(() => made);
  }

  /** Sends an earlier event again, same event id and body (a provider retry or a replay attack). */
  replay(eventId: string): Promise<WebhookDelivery> {
    const webhook = this.sent.find((w) => w.eventId === eventId);
    if (!webhook) return Promise.reject(new Error(`unknown event ${eventId}`));
    const made: WebhookDelivery[] = [];
    this.schedule(webhook, 1, made);
    return this.settled().then(() => made[0]);
  }

  /** Every event created so far (the last 10,000), delivered or not. */
  events(): Array<Pick<OutgoingWebhook, 'eventId' | 'type' | 'url' | 'body'>> {
    return this.sent.map(({ eventId, type, url, body }) => ({ eventId, type, url, body }));
  }

  deliveries(): WebhookDelivery[] {
    return [...this.log];
  }

  heldCount(): number {
    return this.held.length;
  }

  /** Resolves once every scheduled delivery has been attempted (tests await this instead of sleeping). */
  settled(): Promise<void> {
    return this.queue;
  }

  reset(): void {
    this.sent.length = 0;
    this.held = [];
    this.log.length = 0;
    this.settings = { duplicate: false, hold: false, drop: false };
  }

  private schedule(webhook: OutgoingWebhook, times: number, made?: WebhookDelivery[]): void {
    for (let i = 0; i < times; i++) this.queue = this.queue.then(() => this.send(webhook, made));
  }

  private async send(webhook: OutgoingWebhook, made?: WebhookDelivery[]): Promise<void> {
    const headers = { 'content-type': 'application/json', ...webhook.headers() };
    const { eventId, type, url, body } = webhook;
    const entry: WebhookDelivery = { eventId, type, url, status: undefined, headers, body };
    if (webhook.url) {
      try {
        const signal = AbortSignal.timeout(this.timeoutMs);
        const res = await fetch(webhook.url, { method: 'POST', headers, body: webhook.body, signal });
        await res.arrayBuffer();
        entry.status = res.status;
      } catch {
        entry.status = 0;
      }
    }
    this.log.push(entry);
    keepRecent(this.log);
    made?.push(entry);
  }
}
