import { z } from 'zod';
import { GatewayMode, PublicKeyInput, SecretInput, TelegramBotTokenInput, TelegramChatId } from './settings';

/** Body of both Conekta setters (`PUT …/conekta-config`, `POST …/configurar-conekta`). */
export const ConektaConfigRequest = z.object({
  conekta_private_key: SecretInput,
  conekta_public_key: PublicKeyInput,
  conekta_mode: GatewayMode.optional(),
});

/** Body of `POST /api/v1/admin/mi-empresa/configurar-credenciales`. */
export const MercadoPagoConfigRequest = z.object({
  access_token: SecretInput,
  public_key: PublicKeyInput,
  webhook_secret: SecretInput,
  mode: GatewayMode.optional(),
});

/** Body of the Mercado Pago module's `POST /api/v1/payments/configurar-credenciales` (also takes Telegram settings). */
export const PaymentsCredentialsRequest = MercadoPagoConfigRequest.extend({
  telegram_bot_token: TelegramBotTokenInput,
  telegram_chat_id: TelegramChatId,
  notificaciones_telegram: z.boolean().nullable().optional(),
});

export const ConektaConfigResponse = z.object({
  message: z.string(),
  configuracion_actual: z.object({
    conekta_public_key: z.string().nullable(),
    conekta_mode: z.string(),
    conekta_private_key: z.string().nullable(),
    webhook_key_id: z.string().nullable(),
  }),
  /** Where to point Conekta's webhooks. */
  webhook_url: z.string(),
});

export const MercadoPagoConfigResponse = z.object({
  message: z.string(),
  configuracion_actual: z.object({
    access_token: z.string().nullable(),
    public_key: z.string().nullable(),
    mode: z.string(),
    webhook_secret: z.string().nullable(),
  }),
  /** Where to point Mercado Pago's notifications. */
  webhook_url: z.string(),
});

export const PaymentsCredentialsResponse = z.object({
  success: z.literal(true),
  message: z.string(),
  empresa: z.object({ id: z.string(), nombre: z.string() }),
  campos_modificados: z.array(z.string()),
  configuracion_actual: z.object({
    access_token: z.boolean(),
    webhook_secret: z.boolean(),
    public_key: z.boolean(),
    mode: z.string(),
    telegram_configurado: z.boolean(),
    telegram_activo: z.boolean(),
  }),
  webhook_url: z.string(),
});

export const ConektaWebhookKeyResponse = z.object({ message: z.string(), key_id: z.string(), webhook_url: z.string() });
