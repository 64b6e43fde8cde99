import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { DomainError } from '../../domain/errors';
import type { RouteContext } from '../context';
import { rateLimit } from '../plugins/rate-limit';
import { ErrorMessage } from '../schemas/common';
import { ConektaEvent, MercadoPagoNotification, MercadoPagoNotificationQuery, WebhookReceived } from '../schemas/webhooks';
import { WebhookReceiver } from '../webhooks/notifications';

const responses = {
  200: WebhookReceived,
  401: ErrorMessage.describe('Signature not valid: nothing was recorded'),
  429: ErrorMessage.describe('Too many notifications from this address (Retry-After says when to try again)'),
};

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

/**
 * Gateway notifications, verified against their purchase's company key and passed to its workflow as hints
 * (api/webhooks/notifications.ts). Answers are fast, and limited per sender IP.
 */
export async function registerWebhookRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const receiver = new WebhookReceiver(ctx, app.metrics);
  await app.register(async (scope) => {
    // Signatures are computed over the exact bytes received: keep them next to the parsed body.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (request, body, done) => {
      const raw = body as Buffer;
      request.rawBody = raw;
      try {
        done(null, raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {});
      } catch {
        done(new DomainError('BAD_REQUEST', 'JSON inválido'), undefined);
      }
    });
    // Counted before the body is read: a flood costs neither parsing nor a query.
    scope.addHook('onRequest', rateLimit(ctx.rateLimits, [{ name: 'webhook-ip', perMinute: ctx.config.RATE_LIMIT_WEBHOOKS_PER_IP_PER_MINUTE, key: (r) => r.ip }]));
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
      async (request) => receiver.mercadoPago(request.query, request.body ?? {}, request.headers, request.log),
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
      async (request) => receiver.conekta(request.body ?? {}, request.rawBody ?? Buffer.alloc(0), request.headers, request.log),
    );
  });
}
