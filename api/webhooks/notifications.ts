import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import { DomainError } from '../../domain/errors';
import type { Gateway } from '../../domain/purchase';
import { worthNotifying } from '../../domain/temporal';
import type { CompanyEntity, PurchaseEntity } from '../../db/entities';
import { notifiedPurchase, recordCompanyNotification, recordNotification } from '../../db/repositories/purchase-path';
import type { ApiMetrics } from '../../shared/metrics';
import type { AppDeps } from '../context';
import type { ConektaEvent, MercadoPagoNotification, MercadoPagoNotificationQuery, WebhookReceived } from '../schemas/webhooks';
import { ConektaWebhookKeys } from './conekta-keys';
import { verifyConektaDigest, verifyMercadoPagoSignature, type SignatureFailure } from './signatures';

/**
 * Gateway notifications. Each is verified against its purchase's company key (invalid → UNAUTHENTICATED, nothing
 * changes), accepted once per provider event id, written to the purchase's history, and passed to the purchase
 * workflow as a hint: the workflow asks the gateway for the authoritative status. Only verified events are recorded:
 * one naming a purchase we do not know cannot be verified, so it is logged and ignored (the gateway stops retrying)
 * without a row — it can neither take an event id from a genuine notice nor grow the database. A company that has no
 * webhook secret (key) configured cannot have its notices verified either: they are acknowledged and ignored with a
 * warning, so the gateway stops retrying instead of meeting a 401 every time, and the payment reconciliation catches
 * what they said (the admin API shows the missing setting on the company).
 */

type WebhookDeps = Pick<AppDeps, 'dataSource' | 'secrets' | 'workflows'>;
type Received = z.output<typeof WebhookReceived>;
type Headers = Record<string, string | string[] | undefined>;

/** How long a Mercado Pago signature stays valid (either direction), against replays. */
const MERCADO_PAGO_TOLERANCE_SECONDS = 300;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Notification {
  gateway: Gateway;
  eventId: string;
  eventType: string;
  resourceId: string;
  purchase: PurchaseEntity;
}

export class WebhookReceiver {
  private readonly conektaKeys: ConektaWebhookKeys;

  constructor(
    private readonly deps: WebhookDeps,
    private readonly metrics: Pick<ApiMetrics, 'webhookChecked'>,
  ) {
    this.conektaKeys = new ConektaWebhookKeys(deps.dataSource);
  }

  /** A Mercado Pago notification: `x-signature` verified with the company's webhook secret. */
  async mercadoPago(
    query: z.output<typeof MercadoPagoNotificationQuery>,
    body: NonNullable<z.output<typeof MercadoPagoNotification>>,
    headers: Headers,
    log: FastifyBaseLogger,
  ): Promise<Received> {
    const dataId = String(query['data.id'] ?? body.data?.id ?? query.id ?? '');
    const type = query.type ?? body.type ?? query.topic ?? '';
    if (type !== 'payment' || !/^\d{1,20}$/.test(dataId)) return { status: 'ignored' };
    const found = await notifiedPurchase(this.deps.dataSource, { gateway: 'mercado_pago', gatewayReference: dataId });
    if (!found) return this.unverifiable(log, 'mercado_pago', dataId);
    const { purchase, company } = found;
    const secret = this.deps.secrets.decryptOptional(company.mercadoPagoWebhookSecretEncrypted);
    if (!secret) return this.notConfigured(log, 'mercado_pago', company);
    const check = verifyMercadoPagoSignature({
      xSignature: headers['x-signature'],
      xRequestId: headers['x-request-id'],
      dataId,
      secret,
      toleranceSeconds: MERCADO_PAGO_TOLERANCE_SECONDS,
    });
    if (!check.ok) this.refuse(log, 'mercado_pago', check.reason);
    const eventId = String(body.id ?? headers['x-request-id'] ?? `${dataId}:${body.action ?? type}`);
    return this.accept({ gateway: 'mercado_pago', eventId, eventType: body.action ?? type, resourceId: dataId, purchase });
  }

  /** A Conekta event: its `digest` header verified with the company's webhook key, over the exact bytes received. */
  async conekta(body: NonNullable<z.output<typeof ConektaEvent>>, rawBody: Buffer, headers: Headers, log: FastifyBaseLogger): Promise<Received> {
    const object = body.data?.object;
    const orderId = object?.object === 'order' || object?.id?.startsWith('ord_') ? object?.id : object?.order_id;
    if (!body.id || !body.type || body.type === 'webhook_ping' || !orderId) return { status: 'ignored' };
    const event = { gateway: 'conekta' as const, eventId: body.id, eventType: body.type, resourceId: orderId };
    const metadata = object?.metadata;
    const purchaseId = metadata?.purchase_id && UUID.test(metadata.purchase_id) ? metadata.purchase_id : undefined;
    const companyId = typeof metadata?.company_id === 'string' ? metadata.company_id : undefined;
    if (purchaseId && companyId) {
      const received = await this.conektaOfCompany(event, { purchaseId, companyId }, rawBody, headers, log);
      if (received) return received;
    }
    // Ours by the id we sent in the metadata, else by the gateway's order id.
    const found = await notifiedPurchase(this.deps.dataSource, { gateway: 'conekta', purchaseId, gatewayReference: orderId });
    if (!found) return this.unverifiable(log, 'conekta', orderId);
    const { purchase, company } = found;
    if (!company.conektaWebhookPublicKey) return this.notConfigured(log, 'conekta', company);
    const check = verifyConektaDigest(rawBody, headers.digest, company.conektaWebhookPublicKey);
    if (!check.ok) this.refuse(log, 'conekta', check.reason);
    return this.accept({ ...event, purchase });
  }

  /**
   * A notice whose metadata (the order's, as we sent it) names our purchase and its company: verified with that
   * company's key, kept between notices (read again once before refusing: it may have been replaced), and recorded by
   * the statement that finds the purchase among that company's. Undefined when the company has no key: the general
   * path answers.
   */
  private async conektaOfCompany(
    event: Omit<Notification, 'purchase'>,
    ours: { purchaseId: string; companyId: string },
    rawBody: Buffer,
    headers: Headers,
    log: FastifyBaseLogger,
  ): Promise<Received | undefined> {
    const key = await this.conektaKeys.get(ours.companyId);
    if (!key.pem) return undefined;
    let check = verifyConektaDigest(rawBody, headers.digest, key.pem);
    if (!check.ok && key.kept) {
      const pem = await this.conektaKeys.reload(ours.companyId);
      if (!pem) return undefined;
      check = verifyConektaDigest(rawBody, headers.digest, pem);
    }
    if (!check.ok) this.refuse(log, 'conekta', check.reason);
    const recorded = await recordCompanyNotification(this.deps.dataSource, {
      ...this.row(event),
      provider: 'conekta',
      purchaseId: ours.purchaseId,
      companyId: ours.companyId,
      detail: { event_id: event.eventId, event_type: event.eventType },
    });
    if (!recorded) return this.unverifiable(log, 'conekta', event.resourceId);
    return this.received(event, recorded.fresh, recorded);
  }

  /** Records a verified notification once per event id, then wakes the purchase's workflow when the news may matter to it. */
  private async accept(notification: Notification): Promise<Received> {
    const { purchase } = notification;
    const fresh = await recordNotification(this.deps.dataSource, {
      ...this.row(notification),
      provider: notification.gateway,
      purchaseId: purchase.id,
      detail: { event_id: notification.eventId, event_type: notification.eventType, status: purchase.status },
    });
    return this.received(notification, fresh, purchase);
  }

  /** The notification's columns, cut to their sizes. */
  private row(event: Omit<Notification, 'purchase'>) {
    return { eventId: event.eventId.slice(0, 200), eventType: event.eventType.slice(0, 100), resourceId: event.resourceId.slice(0, 200) };
  }

  /**
   * A verified notification recorded (`fresh`) or seen before. Recorded either way; a paid purchase is only woken for
   * news that may reverse its payment (each wake-up costs a workflow task, and the capture's own notice arrives for
   * every sale).
   */
  private async received(
    event: Omit<Notification, 'purchase'>,
    fresh: boolean,
    purchase: Pick<PurchaseEntity, 'status' | 'workflowId'>,
  ): Promise<Received> {
    this.metrics.webhookChecked(event.gateway, fresh ? 'verified' : 'duplicate');
    if (!fresh) return { status: 'duplicate' };
    const hint = { eventId: event.eventId, status: event.eventType };
    if (worthNotifying(purchase.status, hint)) await this.deps.workflows.notifyPayment(purchase.workflowId, hint);
    return { status: 'received' };
  }

  private unverifiable(log: FastifyBaseLogger, gateway: Gateway, resourceId: string): Received {
    this.metrics.webhookChecked(gateway, 'unknown_purchase');
    log.info({ gateway, resourceId }, 'webhook ignored: it names no purchase of ours, so it cannot be verified');
    return { status: 'ignored' };
  }

  private notConfigured(log: FastifyBaseLogger, gateway: Gateway, company: CompanyEntity): Received {
    this.metrics.webhookChecked(gateway, 'missing_secret');
    log.warn({ gateway, companyId: company.id }, 'webhook ignored: the company has no webhook secret configured, so it cannot be verified');
    return { status: 'ignored' };
  }

  private refuse(log: FastifyBaseLogger, gateway: Gateway, reason: SignatureFailure): never {
    this.metrics.webhookChecked(gateway, reason);
    log.warn({ gateway, reason }, 'webhook refused: signature not valid');
    throw new DomainError('UNAUTHENTICATED', 'Firma del webhook inválida');
  }
}
