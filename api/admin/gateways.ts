import type { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { succeeded } from '../../domain/operations';
import { CompanyEntity } from '../../db/entities';
import { recordAudit, type AuditActor } from '../../db/repositories/audit';
import { findCompany } from '../../db/repositories/companies';
import { maskSecret } from '../../shared/secrets';
import type { RouteContext } from '../context';
import type {
  ConektaConfigRequest,
  ConektaConfigResponse,
  ConektaWebhookKeyResponse,
  MercadoPagoConfigRequest,
  MercadoPagoConfigResponse,
  PaymentsCredentialsRequest,
  PaymentsCredentialsResponse,
} from '../schemas/admin/gateways';
import { updateCompanySettings, type CompanySettingsInput, type SettingName } from './company-settings';

/**
 * A company's payment gateway credentials (company admin). Every setter shares company-settings.ts's behaviour; reads
 * mask every secret and show the notification URL to configure at the gateway.
 */

type GatewayDeps = Pick<RouteContext, 'dataSource' | 'secrets' | 'config' | 'workflows'>;

/** The notification URLs an admin configures at each gateway, on this API's public address. */
function webhookUrls(deps: Pick<GatewayDeps, 'config'>) {
  return {
    conekta: `${deps.config.PUBLIC_BASE_URL}/api/v1/webhook/conekta`,
    mercadoPago: `${deps.config.PUBLIC_BASE_URL}/api/v1/webhook/mercado-pago`,
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

export async function setConektaSettings(deps: GatewayDeps, actor: AuditActor, companyId: string, body: z.output<typeof ConektaConfigRequest>): Promise<void> {
  await updateCompanySettings(deps, actor, companyId, conektaInput(body));
}

export async function setMercadoPagoSettings(
  deps: GatewayDeps,
  actor: AuditActor,
  companyId: string,
  body: z.output<typeof MercadoPagoConfigRequest>,
): Promise<void> {
  await updateCompanySettings(deps, actor, companyId, mercadoPagoInput(body));
}

/** The Mercado Pago module's setter: Mercado Pago credentials and Telegram settings, reporting what changed and what is set. */
export async function setPaymentsCredentials(
  deps: GatewayDeps,
  actor: AuditActor,
  companyId: string,
  body: z.output<typeof PaymentsCredentialsRequest>,
): Promise<z.output<typeof PaymentsCredentialsResponse>> {
  const { company, changed } = await updateCompanySettings(deps, actor, companyId, {
    ...mercadoPagoInput(body),
    telegramBotToken: body.telegram_bot_token,
    telegramChatId: body.telegram_chat_id,
    telegramEnabled: body.notificaciones_telegram,
  });
  return {
    success: true,
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
    webhook_url: webhookUrls(deps).mercadoPago,
  };
}

export async function conektaSettings(deps: GatewayDeps, companyId: string): Promise<z.output<typeof ConektaConfigResponse>> {
  const company = await findCompany(deps.dataSource.manager, companyId);
  return {
    message: 'Configuración cargada',
    configuracion_actual: {
      conekta_public_key: company.conektaPublicKey,
      conekta_mode: company.conektaMode,
      conekta_private_key: maskSecret(company.conektaPrivateKeyEncrypted),
      webhook_key_id: company.conektaWebhookKeyId,
    },
    webhook_url: webhookUrls(deps).conekta,
  };
}

export async function mercadoPagoSettings(deps: GatewayDeps, companyId: string): Promise<z.output<typeof MercadoPagoConfigResponse>> {
  const company = await findCompany(deps.dataSource.manager, companyId);
  return {
    message: 'Configuración cargada',
    configuracion_actual: {
      access_token: maskSecret(company.mercadoPagoAccessTokenEncrypted),
      public_key: company.mercadoPagoPublicKey,
      mode: company.mercadoPagoMode,
      webhook_secret: maskSecret(company.mercadoPagoWebhookSecretEncrypted),
    },
    webhook_url: webhookUrls(deps).mercadoPago,
  };
}

/**
 * Creates a Conekta webhook signing key with the company's own private key (through the worker) and stores Conekta's
 * public half, which verifies the `digest` of every Conekta notification.
 */
export async function registerConektaWebhookKey(deps: GatewayDeps, actor: AuditActor, companyId: string): Promise<z.output<typeof ConektaWebhookKeyResponse>> {
  const company = await findCompany(deps.dataSource.manager, companyId);
  if (!company.conektaPrivateKeyEncrypted) throw new DomainError('PAYMENT_NOT_CONFIGURED', 'La empresa no tiene configurada la llave privada de Conekta');
  const result = succeeded(await deps.workflows.registerConektaWebhookKey(companyId));
  await deps.dataSource.transaction(async (tx) => {
    await tx.update(CompanyEntity, { id: companyId }, { conektaWebhookKeyId: result.keyId, conektaWebhookPublicKey: result.publicKey, updatedAt: new Date() });
    await recordAudit(tx, {
      actor,
      companyId,
      action: 'gateway.conekta_webhook_key_registered',
      targetType: 'company',
      targetId: companyId,
      detail: { key_id: result.keyId },
    });
  });
  return { message: 'Llave de webhook de Conekta registrada', key_id: result.keyId, webhook_url: webhookUrls(deps).conekta };
}
