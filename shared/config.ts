import { z } from 'zod';
import { parseAllowedNetworks } from './router-endpoints';

/**
 * The whole configuration, validated once at start-up. Variable names, defaults and required-ness of the service
 * this one replaces are kept, so an operator's existing `.env` works unchanged (`.env.example` lists them all).
 */

/** The placeholders of `.env.example` and `docker-compose.yml` (`change_me…`, `change-me…`): never a real secret. */
const EXAMPLE_VALUE = /^change[_-]?me/i;

const FERNET_KEY = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]=$/; // 32 bytes, URL-safe base64 with its one padding char
const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

const required = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .trim()
    .min(1, { error: `${name} is required` });

/** A required secret, refused while it still holds the example value. */
const secret = (name: string) =>
  required(name).refine((v) => !EXAMPLE_VALUE.test(v), { error: `${name} still has the example value: set a secret of your own` });

const integer = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be an integer from ${min} to ${max} (got "${raw}")` });
        return z.NEVER;
      }
      return value;
    });

const boolean = (name: string, fallback: boolean) =>
  z
    .string()
    .trim()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return fallback;
      const value = raw.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(value)) return true;
      if (['false', '0', 'no', 'off'].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false (got "${raw}")` });
      return z.NEVER;
    });

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => v ?? '');

const httpUrl = (name: string, fallback: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((raw, ctx) => {
      const value = raw === undefined || raw === '' ? fallback : raw;
      if (!/^https?:\/\/[^\s/]+/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `${name} must be an http(s) URL (got "${value}")` });
        return z.NEVER;
      }
      return value.replace(/\/+$/, '');
    });

/** Accepts the SQLAlchemy form `postgresql+asyncpg://…` as well as `postgres://` and `postgresql://`. */
export function normalizeDatabaseUrl(raw: string): string | undefined {
  const match = /^(postgres|postgresql)(\+[a-z0-9_]+)?:\/\/(.+)$/i.exec(raw.trim());
  return match ? `postgresql://${match[3]}` : undefined;
}

/** Accepts a JSON array (`["https://a","https://b"]`), a comma-separated list, or empty. */
export function parseCorsOrigins(raw: string): string[] | undefined {
  const text = raw.trim();
  if (text === '') return [];
  let items: unknown;
  if (text.startsWith('[')) {
    try {
      items = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!Array.isArray(items) || !items.every((i) => typeof i === 'string')) return undefined;
  } else {
    items = text.split(',');
  }
  const origins = (items as string[]).map((o) => o.trim().replace(/\/+$/, '')).filter((o) => o !== '');
  return origins.every((o) => o === '*' || /^https?:\/\/[^\s/]+$/.test(o)) ? origins : undefined;
}

const schema = z
  .object({
    DATABASE_URL: required('DATABASE_URL').transform((raw, ctx) => {
      const url = normalizeDatabaseUrl(raw);
      if (!url) {
        ctx.addIssue({
          code: 'custom',
          message: 'DATABASE_URL must be a PostgreSQL URL (postgresql://, postgres:// or postgresql+asyncpg://)',
        });
        return z.NEVER;
      }
      return url;
    }),
    DATABASE_POOL_SIZE: integer('DATABASE_POOL_SIZE', 20, 1, 500),
    DATABASE_QUERY_TIMEOUT_SECONDS: integer('DATABASE_QUERY_TIMEOUT_SECONDS', 10, 1, 600),
    JWT_APIKEY_SECRET: secret('JWT_APIKEY_SECRET'),
    JWT_SESSION_SECRET: secret('JWT_SESSION_SECRET'),
    JWT_ALGORITHM: z
      .string()
      .trim()
      .optional()
      .transform((raw, ctx) => {
        const value = raw === undefined || raw === '' ? 'HS256' : raw.toUpperCase();
        if (!(HMAC_ALGORITHMS as readonly string[]).includes(value)) {
          ctx.addIssue({ code: 'custom', message: `JWT_ALGORITHM must be one of ${HMAC_ALGORITHMS.join(', ')} (got "${raw}")` });
          return z.NEVER;
        }
        return value as (typeof HMAC_ALGORITHMS)[number];
      }),
    JWT_APIKEY_EXPIRE_DAYS: integer('JWT_APIKEY_EXPIRE_DAYS', 365, 1, 3650),
    JWT_SESSION_EXPIRE_HOURS: integer('JWT_SESSION_EXPIRE_HOURS', 24, 1, 24 * 90),
    SECRET_KEY: secret('SECRET_KEY'),
    BCRYPT_ROUNDS: integer('BCRYPT_ROUNDS', 12, 4, 15),
    BACKEND_CORS_ORIGINS: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        const origins = parseCorsOrigins(raw ?? '');
        if (!origins) {
          ctx.addIssue({
            code: 'custom',
            message: 'BACKEND_CORS_ORIGINS must be a JSON array or a comma-separated list of http(s) origins',
          });
          return z.NEVER;
        }
        return origins;
      }),
    SUPER_ADMIN_INITIAL_EMAIL: required('SUPER_ADMIN_INITIAL_EMAIL').pipe(
      z.email({ error: 'SUPER_ADMIN_INITIAL_EMAIL must be an email address' }),
    ),
    SUPER_ADMIN_INITIAL_PASSWORD: secret('SUPER_ADMIN_INITIAL_PASSWORD').pipe(
      z
        .string()
        .min(8, { error: 'SUPER_ADMIN_INITIAL_PASSWORD must have at least 8 characters' })
        // bcrypt ignores every byte past the 72nd: a longer password would be accepted by its first 72 bytes.
        .refine((v) => Buffer.byteLength(v, 'utf8') <= 72, { error: 'SUPER_ADMIN_INITIAL_PASSWORD must be at most 72 bytes' }),
    ),
    CONEKTA_DEFAULT_PRIVATE_KEY: optionalText,
    CONEKTA_DEFAULT_PUBLIC_KEY: optionalText,
    ENCRYPTION_KEY_MERCADO_PAGO: optionalText.refine((v) => v === '' || FERNET_KEY.test(v), {
      error: 'ENCRYPTION_KEY_MERCADO_PAGO must be a Fernet key (32 bytes, URL-safe base64, 44 characters)',
    }),
    APP_NAME: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? v : 'MikroTik Payment API')),
    DEBUG: boolean('DEBUG', false),

    // Added by this service.
    HOST: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? v : '127.0.0.1')),
    PORT: integer('PORT', 8000, 1, 65535),
    /** The worker's /metrics, /health and /ready (on HOST); 0 picks a free port (tests). */
    WORKER_METRICS_PORT: integer('WORKER_METRICS_PORT', 9464, 0, 65535),
    PUBLIC_BASE_URL: httpUrl('PUBLIC_BASE_URL', 'http://localhost:8000'),
    TRUST_PROXY: z
      .string()
      .trim()
      .optional()
      .transform((raw, ctx): boolean | number | string[] => {
        const value = raw ?? '';
        if (value === '' || value.toLowerCase() === 'false') return false;
        if (value.toLowerCase() === 'true') return true;
        if (/^\d{1,2}$/.test(value)) return Number(value);
        const list = value.split(',').map((v) => v.trim()).filter(Boolean);
        if (list.every((v) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(v))) return list;
        ctx.addIssue({ code: 'custom', message: `TRUST_PROXY must be true, false, a hop count or a comma-separated list of proxy addresses (got "${raw}")` });
        return z.NEVER;
      }),
    LOG_LEVEL: z
      .string()
      .trim()
      .optional()
      .transform((raw, ctx) => {
        const value = raw ? raw.toLowerCase() : 'info';
        if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(value)) {
          ctx.addIssue({ code: 'custom', message: `LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent (got "${raw}")` });
          return z.NEVER;
        }
        return value;
      }),
    TEMPORAL_ADDRESS: z
      .string()
      .trim()
      .optional()
      .transform((raw, ctx) => {
        const value = raw ? raw : '127.0.0.1:7233';
        if (!/^[^\s:/]+:\d{1,5}$/.test(value)) {
          ctx.addIssue({ code: 'custom', message: `TEMPORAL_ADDRESS must be host:port (got "${raw}")` });
          return z.NEVER;
        }
        return value;
      }),
    TEMPORAL_NAMESPACE: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? v : 'default')),
    TEMPORAL_TASK_QUEUE: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? v : 'pagos-hotspot')),
    CONEKTA_API_BASE_URL: httpUrl('CONEKTA_API_BASE_URL', 'https://api.conekta.io'),
    MERCADO_PAGO_API_BASE_URL: httpUrl('MERCADO_PAGO_API_BASE_URL', 'https://api.mercadopago.com'),
    TELEGRAM_API_BASE_URL: httpUrl('TELEGRAM_API_BASE_URL', 'https://api.telegram.org'),
    // The captive portal loads the gateways' browser tokenizers from these (the sandbox serves drop-in test copies).
    CONEKTA_TOKENIZER_URL: httpUrl('CONEKTA_TOKENIZER_URL', 'https://pay.conekta.com/v1.0/js/conekta-checkout.min.js'),
    MERCADO_PAGO_SDK_URL: httpUrl('MERCADO_PAGO_SDK_URL', 'https://sdk.mercadopago.com/js/v2'),
    ROUTER_API_SOURCE_ADDRESSES: z
      .string()
      .trim()
      .optional()
      .transform((raw, ctx) => {
        const list = (raw ?? '').split(',').map((v) => v.trim()).filter(Boolean);
        const prefix = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(\/([0-9]|[12]\d|3[0-2]))?$/;
        if (list.every((v) => prefix.test(v))) return list;
        ctx.addIssue({ code: 'custom', message: `ROUTER_API_SOURCE_ADDRESSES must be a comma-separated list of IPv4 addresses or prefixes (got "${raw}")` });
        return z.NEVER;
      }),
    PURCHASE_RESPONSE_WAIT_SECONDS: integer('PURCHASE_RESPONSE_WAIT_SECONDS', 20, 1, 120),
    PAYMENT_PENDING_MAX_SECONDS: integer('PAYMENT_PENDING_MAX_SECONDS', 3600, 1, 7 * 86_400),
    PAYMENT_STATUS_POLL_SECONDS: integer('PAYMENT_STATUS_POLL_SECONDS', 60, 1, 3600),
    PROVISIONING_DEADLINE_SECONDS: integer('PROVISIONING_DEADLINE_SECONDS', 900, 1, 86_400),
    ROUTER_CONNECT_TIMEOUT_SECONDS: integer('ROUTER_CONNECT_TIMEOUT_SECONDS', 5, 1, 60),
    ROUTER_COMMAND_TIMEOUT_SECONDS: integer('ROUTER_COMMAND_TIMEOUT_SECONDS', 10, 1, 120),
    ROUTER_ALLOWED_NETWORKS: z
      .string()
      .optional()
      .transform((raw, ctx): string[] => {
        const parsed = parseAllowedNetworks(raw ?? '');
        if ('entries' in parsed) return parsed.entries;
        ctx.addIssue({
          code: 'custom',
          message: `ROUTER_ALLOWED_NETWORKS must list networks (10.0.0.0/8), addresses, host names or "default" (not: ${parsed.invalid.join(', ')})`,
        });
        return z.NEVER;
      }),
    RATE_LIMIT_PER_KEY_PER_MINUTE: integer('RATE_LIMIT_PER_KEY_PER_MINUTE', 1200, 1, 10_000_000),
    RATE_LIMIT_PER_IP_PER_MINUTE: integer('RATE_LIMIT_PER_IP_PER_MINUTE', 600, 1, 10_000_000),
    RATE_LIMIT_PURCHASES_PER_IP_PER_MINUTE: integer('RATE_LIMIT_PURCHASES_PER_IP_PER_MINUTE', 30, 1, 10_000_000),
    RATE_LIMIT_WEBHOOKS_PER_IP_PER_MINUTE: integer('RATE_LIMIT_WEBHOOKS_PER_IP_PER_MINUTE', 3000, 1, 10_000_000),
    // Where the rate limits are counted: in PostgreSQL, shared by every API process, or in each process's memory.
    RATE_LIMIT_STORE: z
      .string()
      .trim()
      .optional()
      .transform((raw, ctx): 'postgres' | 'memory' => {
        const value = raw ? raw.toLowerCase() : 'postgres';
        if (value === 'postgres' || value === 'memory') return value;
        ctx.addIssue({ code: 'custom', message: `RATE_LIMIT_STORE must be postgres or memory (got "${raw}")` });
        return z.NEVER;
      }),
    RATE_LIMIT_VOUCHERS_PER_DEVICE_PER_MINUTE: integer('RATE_LIMIT_VOUCHERS_PER_DEVICE_PER_MINUTE', 5, 1, 10_000_000),
    RATE_LIMIT_VOUCHERS_PER_ROUTER_PER_MINUTE: integer('RATE_LIMIT_VOUCHERS_PER_ROUTER_PER_MINUTE', 30, 1, 10_000_000),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.JWT_APIKEY_SECRET && cfg.JWT_APIKEY_SECRET === cfg.JWT_SESSION_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SESSION_SECRET'],
        message: 'JWT_SESSION_SECRET must be different from JWT_APIKEY_SECRET',
      });
    }
  });

export type Config = z.output<typeof schema>;

/** Thrown by parseConfig with every problem found, each naming its variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates an environment (usually process.env). Pure: reads nothing but its argument. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    return issue.message.includes(name) || name === '' ? issue.message : `${name}: ${issue.message}`;
  });
  throw new ConfigError([...new Set(problems)]);
}
