import type { z } from 'zod';
import { CompanyEntity } from '../../../db/entities';
import { recordAudit } from '../../../db/repositories/audit';
import { maskSecret } from '../../../shared/secrets';
import type { RouteContext, ZodApp } from '../../app';
import { HttpError, STATUS_BY_CODE } from '../../errors';
import { SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, Message } from '../../schemas/admin/common';
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
import { findCompany } from './companies';
import { updateCompanySettings, type CompanySettingsInput, type SettingName } from './company-settings';
import { actorOf, ownCompanyId } from './scope';

const TAGS = ['Cliente Admin'];

/** The notification URLs an admin configures at each gateway, on this API's public address. */
export function webhookUrls(ctx: RouteContext) {
  return {
    conekta: `${ctx.config.PUBLIC_BASE_URL}/api/v1/webhook/conekta`,
    mercadoPago: `${ctx.config.PUBLIC_BASE_URL}/api/v1/webhook/mercado-pago`,
  };
}

const conektaInput = (body: z.output<typeof ConektaConfigRequest>): CompanySettingsInput => ({
  conektaPrivateKey: body.conekta_private_key,
  conektaPublicKey: body.conekta_public_key,
  conektaMode: body.conekta_mode,
});

const mercadoPagoInput = (body: z.output<typeof MercadoPagoConfigRequest>): CompanySettingsInput => ({
  mercadoPagoAccessToken: body.access_token,
  mercadoPagoPublicKey: body.public_key,
  mercadoPagoWebhookSecret: body.webhook_secret,
  mercadoPagoMode: body.mode,
});

/** The request field names of the Mercado Pago module's setter, for its `campos_modificados`. */
const PAYMENTS_FIELD_NAMES: Partial<Record<SettingName, string>> = {
  mercadoPagoAccessToken: 'access_token',
  mercadoPagoPublicKey: 'public_key',
  mercadoPagoWebhookSecret: 'webhook_secret',
  mercadoPagoMode: 'mode',
  telegramBotToken: 'telegram_bot_token',
  telegramChatId: 'telegram_chat_id',
  telegramEnabled: 'notificaciones_telegram',
};

/**
 * Company admin: payment gateway credentials (spec §3.4, §3.3 #13). The five setters of the original share one
 * behaviour (company-settings.ts); reads mask every secret and show the webhook URL to configure.
 */
export function registerGatewayRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');
  const errors = { ...ADMIN_ERRORS, 400: ErrorResponse };

  for (const [url, message] of [
    ['/api/v1/admin/mi-empresa/conekta-config', 'Configuración de Conekta actualizada'],
    ['/api/v1/admin/mi-empresa/configurar-conekta', 'Credenciales de Conekta actualizadas correctamente'],
  ] as const) {
    app.route({
      method: url.endsWith('conekta-config') ? 'PUT' : 'POST',
      url,
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Set Conekta keys and mode; fields left out are unchanged, the private key is stored encrypted',
        security: SECURITY.admin,
        body: ConektaConfigRequest,
        response: { 200: Message, ...errors },
      },
      handler: async (request) => {
        await updateCompanySettings(ctx, actorOf(request), ownCompanyId(request), conektaInput(request.body));
        return { message };
      },
    });
  }

  app.get(
    '/api/v1/admin/mi-empresa/conekta',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Conekta settings (private key masked) and the webhook URL to configure at Conekta',
        security: SECURITY.admin,
        response: { 200: ConektaConfigResponse, ...ADMIN_ERRORS },
      },
    },
    async (request) => {
      const company = await findCompany(ctx, ownCompanyId(request));
      return {
        message: 'Configuración cargada',
        configuracion_actual: {
          conekta_public_key: company.conektaPublicKey,
          conekta_mode: company.conektaMode,
          conekta_private_key: maskSecret(company.conektaPrivateKeyEncrypted),
          webhook_key_id: company.conektaWebhookKeyId,
        },
        webhook_url: webhookUrls(ctx).conekta,
      };
    },
  );

  app.post(
    '/api/v1/admin/mi-empresa/configurar-credenciales',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Set Mercado Pago credentials and mode; fields left out are unchanged, secrets are stored encrypted',
        security: SECURITY.admin,
        body: MercadoPagoConfigRequest,
        response: { 200: Message, ...errors },
      },
    },
    async (request) => {
      await updateCompanySettings(ctx, actorOf(request), ownCompanyId(request), mercadoPagoInput(request.body));
      return { message: 'Credenciales de Mercado Pago actualizadas correctamente' };
    },
  );

  app.post(
    '/api/v1/payments/configurar-credenciales',
    {
      onRequest,
      schema: {
        tags: ['Pagar Hotspot - Mercado Pago'],
        summary: "Set Mercado Pago credentials and Telegram settings (the Mercado Pago module's setter, same behaviour)",
        security: SECURITY.admin,
        body: PaymentsCredentialsRequest,
        response: { 200: PaymentsCredentialsResponse, ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      const { company, changed } = await updateCompanySettings(ctx, actorOf(request), ownCompanyId(request), {
        ...mercadoPagoInput(body),
        telegramBotToken: body.telegram_bot_token,
        telegramChatId: body.telegram_chat_id,
        telegramEnabled: body.notificaciones_telegram,
      });
      return {
        success: true as const,
        message: 'Credenciales actualizadas correctamente',
        empresa: { id: company.id, nombre: company.name },
        campos_modificados: changed.map((name) => PAYMENTS_FIELD_NAMES[name] ?? name),
        configuracion_actual: {
          access_token: company.mercadoPagoAccessTokenEncrypted !== null,
          webhook_secret: company.mercadoPagoWebhookSecretEncrypted !== null,
          public_key: company.mercadoPagoPublicKey !== null,
          mode: company.mercadoPagoMode,
          telegram_configurado: company.telegramBotTokenEncrypted !== null && company.telegramChatId !== null,
          telegram_activo: company.telegramEnabled,
        },
        webhook_url: webhookUrls(ctx).mercadoPago,
      };
    },
  );

  app.get(
    '/api/v1/admin/mi-empresa/mercado-pago',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Mercado Pago settings (secrets masked) and the notification URL to configure at Mercado Pago',
        security: SECURITY.admin,
        response: { 200: MercadoPagoConfigResponse, ...ADMIN_ERRORS },
      },
    },
    async (request) => {
      const company = await findCompany(ctx, ownCompanyId(request));
      return {
        message: 'Configuración cargada',
        configuracion_actual: {
          access_token: maskSecret(company.mercadoPagoAccessTokenEncrypted),
          public_key: company.mercadoPagoPublicKey,
          mode: company.mercadoPagoMode,
          webhook_secret: maskSecret(company.mercadoPagoWebhookSecretEncrypted),
        },
        webhook_url: webhookUrls(ctx).mercadoPago,
      };
    },
  );

  app.post(
    '/api/v1/admin/mi-empresa/conekta/webhook-key',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: "Create a Conekta webhook signing key (through the worker) and store Conekta's public key",
        security: SECURITY.admin,
        response: { 200: ConektaWebhookKeyResponse, ...ADMIN_ERRORS, 400: ErrorResponse, 502: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request) => {
      const companyId = ownCompanyId(request);
      const company = await findCompany(ctx, companyId);
      if (!company.conektaPrivateKeyEncrypted) throw new HttpError(400, 'La empresa no tiene configurada la llave privada de Conekta');
      const result = await ctx.workflows.registerConektaWebhookKey(companyId);
      if (!result.ok) throw new HttpError(STATUS_BY_CODE[result.code], result.message);
      await ctx.dataSource.transaction(async (tx) => {
        await tx.update(
          CompanyEntity,
          { id: companyId },
          { conektaWebhookKeyId: result.keyId, conektaWebhookPublicKey: result.publicKey, updatedAt: new Date() },
        );
        await recordAudit(tx, {
          actor: actorOf(request),
          companyId,
          action: 'gateway.conekta_webhook_key_registered',
          targetType: 'company',
          targetId: companyId,
          detail: { key_id: result.keyId },
        });
      });
      return { message: 'Llave de webhook de Conekta registrada', key_id: result.keyId, webhook_url: webhookUrls(ctx).conekta };
    },
  );
}
