import { z } from 'zod';
import { centsToMajor } from '../../../domain/money';
import { PurchaseEntity, CompanyEntity } from '../../../db/entities';
import type { RouteContext, ZodApp } from '../../app';
import { HttpError } from '../../errors';
import { PurchaseService, type PurchaseRequest } from '../../portal/purchases';
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
import { portalGuards } from './guards';

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

const idempotencyHeader = (headers: Record<string, string | string[] | undefined>) => {
  const value = headers['idempotency-key'];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Purchases (spec §3.3, issue 6): each attempt is one Temporal workflow. The answer comes from the workflow's first
 * decisive outcome (bounded wait), rendered from the database; a repeated submit of the same attempt gets the same
 * answer and never a second charge.
 */
export function registerPurchaseRoutes(app: ZodApp, ctx: RouteContext): void {
  const service = new PurchaseService(ctx);
  const buyGuards = portalGuards(ctx, ctx.config.RATE_LIMIT_PURCHASES_PER_IP_PER_MINUTE);
  const readGuards = portalGuards(ctx);

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
        const answer = await service.purchase(routerOf(request), toRequest(request.body as z.output<Body>), idempotencyHeader(request.headers));
        return reply.status(answer.status).send(answer.body as never);
      },
    );

  const common = (body: z.output<typeof ConektaPurchaseRequest> | z.output<typeof MercadoPagoPurchaseRequest>) => ({
    productId: body.product_id,
    customer: { name: body.customer_name, email: body.customer_email, phone: body.customer_phone },
    userType: body.user_type,
    mac: body.mac_address,
    ip: body.ip_address,
    autoConnect: body.auto_connect,
  });

  purchaseRoute(
    '/api/v1/payments/pagar-conekta',
    'Buy a plan with a Conekta card token',
    'Send an `Idempotency-Key` header to make retries safe; without it the card token identifies the attempt.',
    ConektaPurchaseRequest,
    (body) => ({ ...common(body), gateway: 'conekta', cardToken: body.card_token, gatewayRequest: {} }),
  );

  purchaseRoute(
    '/api/v1/payments/pagar-mercado-pago',
    'Buy a plan with a Mercado Pago card token',
    'The amount charged is the product’s price; `transaction_amount` must match it. `Idempotency-Key` as for Conekta.',
    MercadoPagoPurchaseRequest,
    (body) => ({
      ...common(body),
      gateway: 'mercado_pago',
      cardToken: body.token,
      clientAmount: body.transaction_amount,
      gatewayRequest: {
        paymentMethodId: body.payment_method_id,
        installments: body.installments,
        ...(body.issuer_id ? { issuerId: body.issuer_id } : {}),
        ...(body.device_id ? { deviceId: body.device_id } : {}),
      },
    }),
  );

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
    async (request) => {
      const { router } = routerOf(request);
      const purchase = await ctx.dataSource.getRepository(PurchaseEntity).findOneBy({ id: request.params.id, routerId: router.id });
      if (!purchase) throw new HttpError(404, 'Compra no encontrada');
      const active = purchase.status === 'active';
      return {
        id_compra: purchase.id,
        estado: purchase.status,
        estado_pago: purchase.gatewayStatus,
        pasarela: purchase.gateway,
        mensaje: purchase.customerMessage,
        siguiente_accion:
          purchase.status === 'pending' ? (purchase.nextActionUrl ? ('redirigir' as const) : ('esperar' as const))
          : ['created', 'charging', 'paid'].includes(purchase.status) ? ('esperar' as const)
          : ('ninguna' as const),
        redirect_url: purchase.status === 'pending' ? purchase.nextActionUrl : null,
        tipo_usuario: purchase.userType,
        usuario_hotspot: active
          ? { usuario: purchase.hotspotUsername ?? '', contrasena: ctx.secrets.decryptOptional(purchase.hotspotPasswordEncrypted) ?? '' }
          : null,
        producto: { nombre: purchase.productName, precio: centsToMajor(purchase.amountCents), moneda: purchase.currency },
        creada_en: purchase.createdAt.toISOString(),
        activada_en: purchase.activatedAt?.toISOString() ?? null,
        expira_en: purchase.expiresAt?.toISOString() ?? null,
      };
    },
  );

  // Where the bank's 3-D Secure page sends the customer back. No key (it is the customer's browser, not the portal):
  // the unguessable purchase id is the only input, and all it can do is make the workflow ask the gateway now.
  const returnLimit = rateLimit([{ name: 'return-ip', perMinute: 60, key: (r) => r.ip }]);
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
      const purchase = await ctx.dataSource.getRepository(PurchaseEntity).findOneBy({ id: request.params.id });
      if (!purchase) throw new HttpError(404, 'Compra no encontrada');
      if (purchase.status === 'pending') await ctx.workflows.notifyPayment(purchase.workflowId, { eventId: 'customer-return' });
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
    async (request) => {
      const { router, company } = routerOf(request);
      const configured = await ctx.dataSource.getRepository(CompanyEntity).findOneByOrFail({ id: company.id });
      if (!configured.mercadoPagoAccessTokenEncrypted) throw new HttpError(400, 'La empresa no tiene configurado Mercado Pago');
      const purchase = await ctx.dataSource
        .getRepository(PurchaseEntity)
        .findOneBy({ gateway: 'mercado_pago', gatewayReference: request.params.payment_id, routerId: router.id });
      if (!purchase) throw new HttpError(404, 'Pago no encontrado');
      const detail = purchase.gatewayDetail as { status_detail?: string };
      return {
        success: true as const,
        payment_id: request.params.payment_id,
        status: purchase.gatewayStatus,
        status_detail: detail.status_detail ?? null,
        amount: centsToMajor(purchase.amountCents),
        currency_id: purchase.currency,
        date_approved: purchase.paidAt?.toISOString() ?? null,
        date_last_updated: purchase.updatedAt.toISOString(),
      };
    },
  );
}
