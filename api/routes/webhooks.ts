import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Gateway } from '../../domain/purchase';
import { worthNotifying } from '../../domain/temporal';
import { CompanyEntity, ProcessedWebhookEventEntity, PurchaseEntity, PurchaseEventEntity } from '../../db/entities';
import type { RouteContext } from '../app';
import { HttpError } from '../errors';
import { rateLimit } from '../plugins/rate-limit';
import { ErrorMessage } from '../schemas/common';
import { ConektaEvent, MercadoPagoNotification, MercadoPagoNotificationQuery, WebhookReceived } from '../schemas/webhooks';
import { verifyConektaDigest, verifyMercadoPagoSignature, type SignatureFailure } from '../webhooks/signatures';

const responses = {
  200: WebhookReceived,
  401: ErrorMessage.describe('Signature not valid: nothing was recorded'),
  429: ErrorMessage.describe('Too many notifications from this address (Retry-After says when to try again)'),
};

interface Notification {
  gateway: Gateway;
  eventId: string;
  eventType: string;
  resourceId: string;
  purchase: PurchaseEntity;
}

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

/**
 * Gateway notifications. Each is verified against its purchase's company key (invalid → 401, nothing changes),
 * accepted once per provider event id, written to the purchase's history, and passed to the purchase workflow as a
 * hint: the workflow asks the gateway for the authoritative status. Only verified events are recorded: one naming a
 * purchase we do not know cannot be verified, so it is logged and answered 200 (the gateway stops retrying) without a
 * row — it can neither take an event id from a genuine notice nor grow the database. Answers are fast, and limited
 * per sender IP.
 */
export async function registerWebhookRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  await app.register(async (scope) => {
    // Signatures are computed over the exact bytes received: keep them next to the parsed body.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (request, body, done) => {
      const raw = body as Buffer;
      request.rawBody = raw;
      try {
        done(null, raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {});
      } catch {
        done(new HttpError(400, 'JSON inválido'), undefined);
      }
    });
    // Counted before the body is read: a flood costs neither parsing nor a query.
    scope.addHook('onRequest', rateLimit([{ name: 'webhook-ip', perMinute: ctx.config.RATE_LIMIT_WEBHOOKS_PER_IP_PER_MINUTE, key: (r) => r.ip }]));
    const zod = scope.withTypeProvider<ZodTypeProvider>();

    zod.post(
      '/api/v1/webhook/mercado-pago',
      {
        schema: {
          tags: ['Webhooks'],
          summary: 'Mercado Pago notifications (x-signature verified with the company webhook secret)',
          querystring: MercadoPagoNotificationQuery,
          body: MercadoPagoNotification,
          response: responses,
        },
      },
      async (request) => {
        const body = request.body ?? {};
        const query = request.query;
        const dataId = String(query['data.id'] ?? body.data?.id ?? query.id ?? '');
        const type = query.type ?? body.type ?? query.topic ?? '';
        if (type !== 'payment' || !/^\d{1,20}$/.test(dataId)) return { status: 'ignored' as const };
        const purchase = await ctx.dataSource.getRepository(PurchaseEntity).findOneBy({ gateway: 'mercado_pago', gatewayReference: dataId });
        if (!purchase) return unverifiable(request, 'mercado_pago', dataId);
        const company = await companyOf(purchase.companyId);
        const secret = ctx.secrets.decryptOptional(company.mercadoPagoWebhookSecretEncrypted) ?? '';
        const check = verifyMercadoPagoSignature({
          xSignature: request.headers['x-signature'],
          xRequestId: request.headers['x-request-id'],
          dataId,
          secret,
          toleranceSeconds: 300,
        });
        if (!check.ok) return refuse(request, 'mercado_pago', check.reason);
        const eventId = String(body.id ?? request.headers['x-request-id'] ?? `${dataId}:${body.action ?? type}`);
        return accept({ gateway: 'mercado_pago', eventId, eventType: body.action ?? type, resourceId: dataId, purchase });
      },
    );

    zod.post(
      '/api/v1/webhook/conekta',
      {
        schema: {
          tags: ['Webhooks'],
          summary: 'Conekta notifications (digest header verified with the company webhook key)',
          body: ConektaEvent,
          response: responses,
        },
      },
      async (request) => {
        const body = request.body ?? {};
        const object = body.data?.object;
        const orderId = object?.object === 'order' || object?.id?.startsWith('ord_') ? object?.id : object?.order_id;
        if (!body.id || !body.type || body.type === 'webhook_ping' || !orderId) return { status: 'ignored' as const };
        const purchaseId = object?.metadata?.purchase_id;
        const repo = ctx.dataSource.getRepository(PurchaseEntity);
        const purchase =
          (purchaseId && /^[0-9a-f-]{36}$/i.test(purchaseId) ? await repo.findOneBy({ id: purchaseId, gateway: 'conekta' }) : null) ??
          (await repo.findOneBy({ gateway: 'conekta', gatewayReference: orderId }));
        if (!purchase) return unverifiable(request, 'conekta', orderId);
        const company = await companyOf(purchase.companyId);
        const check = company.conektaWebhookPublicKey
          ? verifyConektaDigest(request.rawBody ?? Buffer.alloc(0), request.headers.digest, company.conektaWebhookPublicKey)
          : ({ ok: false, reason: 'missing_secret' } as const);
        if (!check.ok) return refuse(request, 'conekta', check.reason);
        return accept({ gateway: 'conekta', eventId: body.id, eventType: body.type, resourceId: orderId, purchase });
      },
    );
  });

  const companyOf = (id: string) => ctx.dataSource.getRepository(CompanyEntity).findOneByOrFail({ id });

  function unverifiable(request: FastifyRequest, gateway: Gateway, resourceId: string) {
    app.metrics.webhookChecked(gateway, 'unknown_purchase');
    request.log.info({ gateway, resourceId }, 'webhook ignored: it names no purchase of ours, so it cannot be verified');
    return { status: 'ignored' as const };
  }

  function refuse(request: FastifyRequest, gateway: Gateway, reason: SignatureFailure): never {
    app.metrics.webhookChecked(gateway, reason);
    request.log.warn({ gateway, reason }, 'webhook refused: signature not valid');
    throw new HttpError(401, 'Firma del webhook inválida');
  }

  async function accept(notification: Notification) {
    const { purchase } = notification;
    const fresh = await ctx.dataSource.transaction(async (tx) => {
      const inserted = await tx
        .createQueryBuilder()
        .insert()
        .into(ProcessedWebhookEventEntity)
        .values({
          provider: notification.gateway,
          eventId: notification.eventId.slice(0, 200),
          eventType: notification.eventType.slice(0, 100),
          resourceId: notification.resourceId.slice(0, 200),
          purchaseId: purchase.id,
        })
        .orIgnore()
        .returning(['id'])
        .execute();
      if ((inserted.raw as unknown[]).length === 0) return false;
      await tx.insert(PurchaseEventEntity, {
        purchaseId: purchase.id,
        type: 'webhook_received',
        fromStatus: null,
        toStatus: null,
        source: 'webhook',
        detail: { event_id: notification.eventId, event_type: notification.eventType, status: purchase.status },
      });
      return true;
    });
    app.metrics.webhookChecked(notification.gateway, fresh ? 'verified' : 'duplicate');
    if (!fresh) return { status: 'duplicate' as const };
    const hint = { eventId: notification.eventId, status: notification.eventType };
    // Recorded either way; a paid purchase is only woken for news that may reverse its payment (each wake-up costs a
    // workflow task, and the capture's own notice arrives for every sale).
    if (worthNotifying(purchase.status, hint)) await ctx.workflows.notifyPayment(purchase.workflowId, hint);
    return { status: 'received' as const };
  }
}
