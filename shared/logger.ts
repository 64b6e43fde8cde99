import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values never reach a log line, wherever they sit in a logged object (pino redaction paths, one and two
 * levels deep). Secrets must also never be interpolated into messages: log objects, not strings.
 */
export const REDACTED_KEYS = [
  'password',
  'contrasena',
  'newPassword',
  'new_password',
  'current_password',
  'passwordHash',
  'password_hash',
  'token',
  'cardToken',
  'card_token',
  'token_tarjeta',
  'accessToken',
  'access_token',
  'privateKey',
  'private_key',
  'conekta_private_key',
  'webhookSecret',
  'webhook_secret',
  'botToken',
  'bot_token',
  'telegram_bot_token',
  'apiKey',
  'api_key',
  'authorization',
  'Authorization',
  'x-api-key',
  'cookie',
  'secret',
] as const;

const redactPaths = [
  ...REDACTED_KEYS.map((k) => `["${k}"]`),
  ...REDACTED_KEYS.map((k) => `*["${k}"]`),
  ...REDACTED_KEYS.map((k) => `*.*["${k}"]`),
];

export interface LoggerSettings {
  level: string;
  name?: string;
}

/** One logger factory for the API, the worker and the scripts: JSON lines, secrets redacted. */
export function createLogger(settings: LoggerSettings, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    name: settings.name,
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
