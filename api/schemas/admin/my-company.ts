import { z } from 'zod';
import { GATEWAYS } from '../../../domain/purchase';
import { PhoneNumber, TelegramBotToken, TelegramBotTokenInput, TelegramChat, TelegramChatId } from './settings';

/** The own company as panels written for the previous service read it; the Telegram bot token is masked, never in clear. */
export const MyCompanyResponse = z.object({
  id: z.string(),
  nombre: z.string(),
  contacto_email: z.string().nullable(),
  contacto_telefono: z.string().nullable(),
  logo_url: z.string().nullable(),
  conekta_mode: z.string(),
  conekta_public_key: z.string().nullable(),
  mercado_pago_mode: z.string(),
  mercado_pago_public_key: z.string().nullable(),
  activa: z.boolean(),
  creada_en: z.string(),
  telegram_bot_token: z.string().nullable(),
  telegram_chat_id: z.string().nullable(),
  notificaciones_telegram: z.boolean(),
  webhooks_sin_secreto: z
    .array(z.enum(GATEWAYS))
    .describe('Gateways in use whose webhook secret (Mercado Pago) or key (Conekta) is missing: their notifications are ignored, and only the payment reconciliation brings their news'),
});

/** Only fields present change; contact fields may be cleared with null, the name may not. */
export const UpdateMyCompanyRequest = z.object({
  nombre: z.string().trim().min(1).max(100).optional(),
  contacto_email: z
    .union([z.email().max(254), z.literal('')])
    .nullable()
    .optional(),
  contacto_telefono: PhoneNumber.nullable().optional(),
  telegram_bot_token: TelegramBotTokenInput,
  telegram_chat_id: TelegramChatId,
  notificaciones_telegram: z.boolean().nullable().optional(),
});

export const UpdateMyCompanyResponse = z.object({
  message: z.string(),
  empresa: z.object({
    nombre: z.string(),
    contacto_email: z.string().nullable(),
    contacto_telefono: z.string().nullable(),
    telegram_bot_token: z.string().nullable(),
    telegram_chat_id: z.string().nullable(),
    notificaciones_telegram: z.boolean(),
  }),
});

/** The logo upload's `multipart/form-data` body. */
export const LogoUpload = z.object({ file: z.file().describe('PNG, JPEG or WEBP (checked by content), at most 1 MB') });

export const LogoResponse = z.object({ message: z.string(), logo_url: z.string() });

/** Settings to try before saving them; absent ones are the stored ones. */
export const TelegramTestRequest = z.object({
  token: TelegramBotToken.optional(),
  chat_id: TelegramChat.optional(),
});
