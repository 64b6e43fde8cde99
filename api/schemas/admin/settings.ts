import { z } from 'zod';
import { isTelegramBotToken } from '../../../domain/telegram';
import { maskSecret } from '../../../shared/secrets';
import { withoutControlCharacters } from '../control-characters';

/** Input rules shared by every setter of company settings (see api/routes/admin/company-settings.ts). */

const MASK = maskSecret('x');

/** A secret: absent or null = unchanged, "" = cleared, `********` = unchanged, else stored encrypted. */
export const SecretInput = withoutControlCharacters(z.string().trim().max(500)).nullable().optional();
/** A public key: absent or null = unchanged, "" = cleared. */
export const PublicKeyInput = withoutControlCharacters(z.string().trim().max(255)).nullable().optional();
/** A Telegram bot token (`123456789:AAH…`): it becomes part of the Bot API's URL path, so its format is checked. */
export const TelegramBotToken = z.string().trim().refine(isTelegramBotToken, { error: 'Token de bot de Telegram inválido' });
/** A bot token set like any secret: absent, null or the mask = unchanged, "" = cleared. */
export const TelegramBotTokenInput = z
  .string()
  .trim()
  .refine((v) => v === '' || v === MASK || isTelegramBotToken(v), { error: 'Token de bot de Telegram inválido' })
  .nullable()
  .optional();
export const GatewayMode = z.enum(['test', 'live']);

const TELEGRAM_CHAT = /^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/;
/** A Telegram chat: a numeric id (negative for groups) or an `@channel`. */
export const TelegramChat = z.string().trim().regex(TELEGRAM_CHAT, { error: 'Chat ID de Telegram inválido' });
/** A chat set like a public value: absent or null = unchanged, "" = cleared. */
export const TelegramChatId = z
  .string()
  .trim()
  .refine((v) => v === '' || TELEGRAM_CHAT.test(v), { error: 'Chat ID de Telegram inválido' })
  .nullable()
  .optional();
export const PhoneNumber = z
  .string()
  .trim()
  .regex(/^[+\d][\d ()-]{4,29}$|^$/, { error: 'Teléfono inválido' });
