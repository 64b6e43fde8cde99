import { z } from 'zod';
import type { RouteContext, ZodApp } from '../../context';
import { firstHeader } from '../../http';
import { portalGuards } from '../../portal/guards';
import { purchaseAnswer, purchaseStatus } from '../../portal/purchase-view';
import { conektaPurchase, mercadoPagoPurchase, PurchaseService, type PurchaseRequest } from '../../portal/purchases';
import { routerOf, SECURITY } from '../../plugins/auth';
import { rateLimit } from '../../plugins/rate-limit';
import { ErrorResponse, ValidationErrorResponse } from '../../schemas/common';
import {
  ConektaPurchaseRequest,
  MercadoPagoPurchaseRequest,
  PaymentIdParams,
  PaymentStatusResponse,
  PurchaseAccepted,
  PurchaseApproved,
  PurchaseIdParams,
  PurchaseStatusResponse,
} from '../../schemas/portal/purchases';

const purchaseResponses = {
  200: PurchaseApproved,
  202: PurchaseAccepted,
  400: ErrorResponse.describe('Malformed request or Idempotency-Key, a gateway the company has not configured, or payment data the gateway refused'),
  402: ErrorResponse.describe('Declined: the gateway’s message in Spanish'),
  404: ErrorResponse,
  409: ErrorResponse,
  429: ErrorResponse,
  502: ErrorResponse.describe('The gateway refused our credentials: the operator must fix them'),
  503: ErrorResponse.describe('Router, gateway, database or Temporal unreachable: nothing was charged (Retry-After says when to try again)'),
};

const RETURN_PAGE = `<!doctype html><html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Confirmando pago</title></head><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto;text-align:center">
<h1>Gracias</h1><p>Estamos confirmando su pago con el banco. Vuelva a la página del portal para ver el estado de su compra.</p>
</body></html>`;

/**
 * Buying: each attempt is one Temporal workflow. The answer comes from the workflow's first decisive outcome
 * (bounded wait), rendered from the database; a repeated submit of the same attempt gets the same answer and never a
 * second charge.
 */
export function registerPurchaseRoutes(app: ZodApp, ctx: RouteContext): void {
  const service = new PurchaseService(ctx);
  const buyGuards = portalGuards(ctx, ctx.config.RATE_LIMIT_PURCHASES_PER_IP_PER_MINUTE);

  /** One purchase route per gateway: validate its body, turn it into a PurchaseRequest, answer what the workflow decided. */
  const purchaseRoute = <Body extends z.ZodType>(
    url: string,
    summary: string,
    description: string,
    body: Body,
    toRequest: (body: z.output<Body>) => PurchaseRequest,
  ) =>
    app.post(
      url,
      { preHandler: buyGuards, schema: { tags: ['Purchases'], summary, description, security: SECURITY.routerKey, body, response: purchaseResponses } },
      async (request, reply) => {
        const idempotencyKey = firstHeader(request.headers['idempotency-key']);
        const answer = purchaseAnswer(ctx, await service.purchase(routerOf(request), toRequest(request.body as z.output<Body>), idempotencyKey));
        return answer.status === 200 ? reply.code(200).send(answer.body) : reply.code(202).send(answer.body);
      },
    );

  purchaseRoute(
    '/api/v1/payments/pagar-conekta',
    'Buy a plan with a Conekta card token',
    'Send an `Idempotency-Key` header to make retries safe; without it the card token identifies the attempt.',
    ConektaPurchaseRequest,
    conektaPurchase,
  );

  purchaseRoute(
    '/api/v1/payments/pagar-mercado-pago',
    'Buy a plan with a Mercado Pago card token',
    'The amount charged is the product’s price; `transaction_amount` must match it. `Idempotency-Key` as for Conekta.',
    MercadoPagoPurchaseRequest,
    mercadoPagoPurchase,
  );
}

/** Following a purchase: its status, the bank's return page after 3-D Secure, a Mercado Pago payment's status. */
export function registerPurchaseStatusRoutes(app: ZodApp, ctx: RouteContext): void {
  const service = new PurchaseService(ctx);
  const readGuards = portalGuards(ctx);

  app.get(
    '/api/v1/purchases/:id',
    {
      preHandler: readGuards,
      schema: {
        tags: ['Purchases'],
        summary: 'Status of a purchase made through this router (credentials once active)',
        security: SECURITY.routerKey,
        params: PurchaseIdParams,
        response: { 200: PurchaseStatusResponse, 401: ErrorResponse, 404: ErrorResponse, 422: ValidationErrorResponse },
      },
    },
    async (request) => purchaseStatus(ctx, await service.find(routerOf(request).router.id, request.params.id)),
  );

  // Where the bank's 3-D Secure page sends the customer back. No key (it is the customer's browser, not the portal):
  // the unguessable purchase id is the only input, and all it can do is make the workflow ask the gateway now.
  const returnLimit = rateLimit(ctx.rateLimits, [{ name: 'return-ip', perMinute: 60, key: (r) => r.ip }]);
  app.get(
    '/api/v1/purchases/:id/retorno',
    {
      preHandler: returnLimit,
      schema: {
        tags: ['Purchases'],
        summary: 'Return page after 3-D Secure: nudges the purchase to confirm its payment',
        params: PurchaseIdParams,
        response: {
          200: { description: 'A page telling the customer the payment is being confirmed', content: { 'text/html': { schema: z.string() } } },
          404: ErrorResponse,
          422: ValidationErrorResponse,
          429: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      await service.customerReturned(request.params.id);
      return reply.type('text/html; charset=utf-8').send(RETURN_PAGE);
    },
  );

  app.get(
    '/api/v1/payments/estado-pago/:payment_id',
    {
      preHandler: readGuards,
      schema: {
        tags: ['Purchases'],
        summary: 'Status of a Mercado Pago payment made through this router, as last confirmed with the gateway',
        security: SECURITY.routerKey,
        params: PaymentIdParams,
        response: { 200: PaymentStatusResponse, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 422: ValidationErrorResponse },
      },
    },
    async (request) => service.mercadoPagoPayment(routerOf(request), request.params.payment_id),
  );
}
