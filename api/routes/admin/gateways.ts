import {
  conektaSettings,
  mercadoPagoSettings,
  registerConektaWebhookKey,
  setConektaSettings,
  setMercadoPagoSettings,
  setPaymentsCredentials,
} from '../../admin/gateways';
import type { RouteContext, ZodApp } from '../../context';
import { actorOf, ownCompanyId } from '../../plugins/auth';
import { adminSchema, Message } from '../../schemas/admin/common';
import {
  ConektaConfigRequest,
  ConektaConfigResponse,
  ConektaWebhookKeyResponse,
  MercadoPagoConfigRequest,
  MercadoPagoConfigResponse,
  PaymentsCredentialsRequest,
  PaymentsCredentialsResponse,
} from '../../schemas/admin/gateways';
import { ErrorResponse } from '../../schemas/common';

const TAGS = ['Cliente Admin'];

/** Company admin: payment gateway credentials — five setters with one behaviour, masked reads, the Conekta webhook key. */
export function registerGatewayRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');
  const errors = { 400: ErrorResponse };

  for (const [url, message] of [
    ['/api/v1/admin/mi-empresa/conekta-config', 'Configuración de Conekta actualizada'],
    ['/api/v1/admin/mi-empresa/configurar-conekta', 'Credenciales de Conekta actualizadas correctamente'],
  ] as const) {
    app.route({
      method: url.endsWith('conekta-config') ? 'PUT' : 'POST',
      url,
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Set Conekta keys and mode; fields left out are unchanged, the private key is stored encrypted',
        body: ConektaConfigRequest,
        response: { 200: Message, ...errors },
      }),
      handler: async (request) => {
        await setConektaSettings(ctx, actorOf(request), ownCompanyId(request), request.body);
        return { message };
      },
    });
  }

  app.get(
    '/api/v1/admin/mi-empresa/conekta',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Conekta settings (private key masked) and the webhook URL to configure at Conekta',
        response: { 200: ConektaConfigResponse },
      }),
    },
    async (request) => conektaSettings(ctx, ownCompanyId(request)),
  );

  app.post(
    '/api/v1/admin/mi-empresa/configurar-credenciales',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Set Mercado Pago credentials and mode; fields left out are unchanged, secrets are stored encrypted',
        body: MercadoPagoConfigRequest,
        response: { 200: Message, ...errors },
      }),
    },
    async (request) => {
      await setMercadoPagoSettings(ctx, actorOf(request), ownCompanyId(request), request.body);
      return { message: 'Credenciales de Mercado Pago actualizadas correctamente' };
    },
  );

  app.post(
    '/api/v1/payments/configurar-credenciales',
    {
      onRequest,
      schema: adminSchema(['Pagar Hotspot - Mercado Pago'], {
        summary: "Set Mercado Pago credentials and Telegram settings (the Mercado Pago module's setter, same behaviour)",
        body: PaymentsCredentialsRequest,
        response: { 200: PaymentsCredentialsResponse, ...errors },
      }),
    },
    async (request) => setPaymentsCredentials(ctx, actorOf(request), ownCompanyId(request), request.body),
  );

  app.get(
    '/api/v1/admin/mi-empresa/mercado-pago',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Mercado Pago settings (secrets masked) and the notification URL to configure at Mercado Pago',
        response: { 200: MercadoPagoConfigResponse },
      }),
    },
    async (request) => mercadoPagoSettings(ctx, ownCompanyId(request)),
  );

  app.post(
    '/api/v1/admin/mi-empresa/conekta/webhook-key',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: "Create a Conekta webhook signing key (through the worker) and store Conekta's public key",
        response: { 200: ConektaWebhookKeyResponse, 400: ErrorResponse, 502: ErrorResponse, 503: ErrorResponse },
      }),
    },
    async (request) => registerConektaWebhookKey(ctx, actorOf(request), ownCompanyId(request)),
  );
}
