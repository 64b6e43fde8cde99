import { z } from 'zod';

/** Input rules shared by every setter of company settings (see api/routes/admin/company-settings.ts). */

/** A secret: absent or null = unchanged, "" = cleared, `********` = unchanged, else stored encrypted. */
export const SecretInput = z.string().trim().max(500).nullable().optional();
/** A public key: absent or null = unchanged, "" = cleared. */
export const PublicKeyInput = z.string().trim().max(255).nullable().optional();
export const GatewayMode = z.enum(['test', 'live']);
/** A Telegram chat: a numeric id (negative for groups) or an `@channel`. */
export const TelegramChatId = z
  .string()
  .trim()
  .regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})?$/, { error: 'Chat ID de Telegram inválido' })
  .nullable()
  .optional();
export const PhoneNumber = z
  .string()
  .trim()
  .regex(/^[+\d][\d ()-]{4,29}$|^$/, { error: 'Teléfono inválido' });
