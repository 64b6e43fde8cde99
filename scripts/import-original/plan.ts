import { z } from 'zod';
import { formatRouterDuration } from '../../domain/durations';
import { CURRENCIES, toCents, type Currency } from '../../domain/money';
import { isProfileName } from '../../domain/network';
import type { AdminRole } from '../../db/entities/admin-user.entity';
import type { RouterEndpointPolicy } from '../../shared/router-endpoints';
import type { SecretBox } from '../../shared/secrets';
import type { ImportReport } from './report';
import type { OriginalAdmin, OriginalApiKey, OriginalCompany, OriginalProduct, OriginalRouter, OriginalTable } from './source';
import type { AdminRow, CompanyRow, ExistingProduct, KeyRow, ProductRow, RouterRow, TargetState } from './target';

/**
 * From the original's rows to this service's, one table at a time: each row is written, skipped (already here) or
 * refused with a reason the operator can act on. A refused row's dependants are refused too, naming it.
 */

export interface PlanContext {
  report: ImportReport;
  target: TargetState;
  secrets: SecretBox;
  /** The original's Fernet key when it differs from ENCRYPTION_KEY_MERCADO_PAGO (values are then re-encrypted). */
  originalMercadoPago?: SecretBox;
  /** ROUTER_ALLOWED_NETWORKS: a router outside it is imported, but the worker will not connect to it. */
  routerEndpoints: RouterEndpointPolicy;
}

/** The original's creation defaults for Conekta keys: not keys at all. */
const PLACEHOLDER_KEYS = new Set(['key_test_default', 'key_test_default_pub']);
const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const isEmail = (value: string) => z.email().safeParse(value).success;

/** A refusal inside a row's mapping: the row is refused with this reason. */
export class Refused extends Error {}
export const refuse = (reason: string): never => {
  throw new Refused(reason);
};

export const text = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

/**
 * Booleans as the original read them: its columns allow NULL, and its code tested them for truth (`if not
 * empresa.activa`), so NULL meant false everywhere it mattered.
 */
export const truthy = (value: boolean | null) => value === true;

function mode(value: string | null, field: string): 'test' | 'live' {
  const word = text(value)?.toLowerCase() ?? 'test';
  if (word !== 'test' && word !== 'live') refuse(`${field} "${value}" is neither test nor live`);
  return word as 'test' | 'live';
}

/**
 * A Mercado Pago secret: the original stored it as a Fernet token (one endpoint) or in clear (two others). A token
 * ENCRYPTION_KEY_MERCADO_PAGO opens is kept as it is; one only the original's key opens is re-encrypted; clear text
 * is encrypted. A token no key opens is refused: importing it would break the company's payments silently.
 */
function mercadoPagoSecret(value: string | null, field: string, ctx: PlanContext): string | null {
  const stored = text(value);
  if (!stored) return null;
  if (!stored.startsWith('gAAAAA')) return ctx.secrets.encryptMercadoPago(stored);
  try {
    ctx.secrets.decrypt(stored);
    return stored;
  } catch {
    try {
      if (ctx.originalMercadoPago) return ctx.secrets.encryptMercadoPago(ctx.originalMercadoPago.decrypt(stored));
    } catch {
      // neither key opens it: refused below
    }
  }
  return refuse(
    `${field} is encrypted with a Fernet key that neither ENCRYPTION_KEY_MERCADO_PAGO nor ORIGINAL_ENCRYPTION_KEY_MERCADO_PAGO opens: set one of them to the original service's ENCRYPTION_KEY_MERCADO_PAGO`,
  );
}

/** Maps each row; a Refused becomes the row's refusal (and `onRefused` runs). Returns the rows to write. */
function mapRows<S, T>(
  ctx: PlanContext,
  table: OriginalTable,
  rows: S[],
  id: (row: S) => string | number,
  map: (row: S) => T | 'skip',
  onRefused?: (row: S) => void,
): T[] {
  const out: T[] = [];
  for (const row of rows) {
    try {
      const result = map(row);
      if (result === 'skip') ctx.report.skip(table);
      else out.push(result);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      ctx.report.refuse(table, id(row), error.message);
      onRefused?.(row);
    }
  }
  return out;
}

/** Which companies, routers and products exist once this run is done (written now or already here). */
export interface Available {
  companies: Set<string>;
  /** Refused ones: their dependants are refused, naming them. */
  refusedCompanies: Set<string>;
  routers: Map<string, { companyId: string; name: string }>;
  refusedRouters: Set<string>;
  products: Map<number, SaleProduct>;
  refusedProducts: Set<number>;
}

/** What a sale takes from its product; the validity is unknown only in a dry run (read on the router at import). */
export type SaleProduct = Omit<ExistingProduct, 'validitySeconds'> & { validitySeconds: number | undefined };

export function emptyAvailable(): Available {
  return {
    companies: new Set(),
    refusedCompanies: new Set(),
    routers: new Map(),
    refusedRouters: new Set(),
    products: new Map(),
    refusedProducts: new Set(),
  };
}

/** The company of a dependant row must exist: refused with the reason otherwise. */
export function requireCompany(available: Available, companyId: string | null): string {
  if (!companyId) return refuse('it has no company');
  if (available.refusedCompanies.has(companyId)) refuse(`its company ${companyId} was refused`);
  if (!available.companies.has(companyId)) refuse(`its company ${companyId} does not exist`);
  return companyId;
}

export function requireRouter(available: Available, routerId: string, companyId: string): { companyId: string; name: string } {
  if (available.refusedRouters.has(routerId)) refuse(`its router ${routerId} was refused`);
  const router = available.routers.get(routerId);
  if (!router) return refuse(`its router ${routerId} does not exist`);
  if (router.companyId !== companyId) refuse(`its router ${routerId} belongs to another company (${router.companyId})`);
  return router;
}

export function planCompanies(rows: OriginalCompany[], ctx: PlanContext, available: Available): CompanyRow[] {
  return mapRows(
    ctx,
    'empresas',
    rows,
    (c) => c.id,
    (c): CompanyRow | 'skip' => {
      if (ctx.target.companies.has(c.id)) {
        available.companies.add(c.id);
        return 'skip';
      }
      const name = text(c.nombre) ?? refuse('it has no name');
      const conektaPrivate = text(c.conekta_private_key);
      const row: CompanyRow = {
        id: c.id,
        name,
        contactEmail: text(c.contacto_email),
        contactPhone: text(c.contacto_telefono),
        logoUrl: text(c.logo_url),
        active: truthy(c.activa),
        conektaPrivateKeyEncrypted: conektaPrivate && !PLACEHOLDER_KEYS.has(conektaPrivate) ? ctx.secrets.encrypt(conektaPrivate) : null,
        conektaPublicKey: PLACEHOLDER_KEYS.has(text(c.conekta_public_key) ?? '') ? null : text(c.conekta_public_key),
        conektaMode: mode(c.conekta_mode, 'conekta_mode'),
        conektaWebhookPublicKey: null,
        conektaWebhookKeyId: null,
        mercadoPagoAccessTokenEncrypted: mercadoPagoSecret(c.mercado_pago_access_token, 'mercado_pago_access_token', ctx),
        mercadoPagoPublicKey: text(c.mercado_pago_public_key),
        mercadoPagoMode: mode(c.mercado_pago_mode, 'mercado_pago_mode'),
        mercadoPagoWebhookSecretEncrypted: mercadoPagoSecret(c.mercado_pago_webhook_secret, 'mercado_pago_webhook_secret', ctx),
        telegramBotTokenEncrypted: text(c.telegram_bot_token) ? ctx.secrets.encrypt(text(c.telegram_bot_token)!) : null,
        telegramChatId: text(c.telegram_chat_id),
        telegramEnabled: truthy(c.notificaciones_telegram),
        createdAt: c.creada_en ?? new Date(),
      };
      if (conektaPrivate && !row.conektaPrivateKeyEncrypted) ctx.report.note('empresas', c.id, 'Conekta keys were the placeholders key_test_default…: left empty');
      if (row.logoUrl) ctx.report.note('empresas', c.id, `logo ${row.logoUrl}: store the file of the original server's static/logos/ with npm run import:logos`);
      available.companies.add(c.id);
      return row;
    },
    (c) => available.refusedCompanies.add(c.id),
  );
}

export function planAdmins(rows: OriginalAdmin[], ctx: PlanContext, available: Available): AdminRow[] {
  const taken = new Map(ctx.target.adminIds);
  return mapRows(
    ctx,
    'usuarios',
    rows,
    (u) => u.id,
    (u): AdminRow | 'skip' => {
      const email = u.email.trim().toLowerCase();
      const present = ctx.target.adminEmails.get(u.id);
      if (present === email) return 'skip';
      if (present !== undefined) refuse(`id ${u.id} is taken in this database by another admin (${present})`);
      const other = taken.get(email);
      if (other !== undefined) refuse(`email ${email} is already used by admin ${other} (emails are compared without case here)`);
      if (!isEmail(email)) refuse(`"${u.email}" is not an email address: this service could never log it in`);
      if (u.rol !== 'super_admin' && u.rol !== 'cliente_admin') refuse(`role "${u.rol}" is unknown`);
      const companyId = u.rol === 'cliente_admin' ? requireCompany(available, u.empresa_id) : null;
      if (u.rol === 'super_admin' && u.empresa_id) refuse('a super admin with a company');
      if (!BCRYPT_HASH.test(u.password_hash)) refuse('its password hash is not a bcrypt hash');
      taken.set(email, u.id);
      return {
        id: u.id,
        role: u.rol as AdminRole,
        companyId,
        email,
        passwordHash: u.password_hash,
        name: text(u.nombre) ?? email,
        active: truthy(u.activo),
        lastLoginAt: u.ultimo_login,
        createdAt: u.creado_en ?? new Date(),
      };
    },
  );
}

export function planRouters(rows: OriginalRouter[], ctx: PlanContext, available: Available): RouterRow[] {
  return mapRows(
    ctx,
    'routers',
    rows,
    (r) => r.id,
    (r): RouterRow | 'skip' => {
      const present = ctx.target.routers.get(r.id);
      if (present !== undefined) {
        available.routers.set(r.id, { companyId: present, name: text(r.nombre) ?? r.id });
        return 'skip';
      }
      const companyId = requireCompany(available, r.empresa_id);
      const host = text(r.host) ?? refuse('it has no host');
      const port = r.puerto ?? 8728;
      if (!Number.isInteger(port) || port < 1 || port > 65535) refuse(`port ${port} is not a TCP port`);
      const apiUser = text(r.usuario) ?? refuse('it has no RouterOS API user');
      if (!ctx.routerEndpoints.allowsHost(host)) {
        ctx.report.note('routers', r.id, `host ${host} is outside ROUTER_ALLOWED_NETWORKS: the worker will not connect to it until the policy allows it`);
      }
      // The original spoke API-SSL on 8729 only, and never checked the certificate.
      const tls = port === 8729;
      if (tls) {
        ctx.report.note(
          'routers',
          r.id,
          'API-SSL (8729) without certificate verification, as the original connected: pin the certificate (tls_fingerprint) or install a trusted one and turn verification on',
        );
      }
      const name = text(r.nombre) ?? r.id;
      available.routers.set(r.id, { companyId, name });
      return {
        id: r.id,
        companyId,
        name,
        host,
        port,
        useTls: tls,
        tlsVerify: !tls,
        apiUser,
        apiPasswordEncrypted: ctx.secrets.encrypt(r.password_encrypted),
        location: text(r.ubicacion),
        active: truthy(r.activo),
        createdAt: r.creado_en ?? new Date(),
      };
    },
    (r) => available.refusedRouters.add(r.id),
  );
}

/**
 * Router API keys, same id, hash, expiry and revocation: a portal's key keeps working (when JWT_APIKEY_SECRET is the
 * original's). This service allows one unrevoked key per router; the original meant the same (its regeneration
 * revoked "the" current key), so a second unrevoked key of a router is refused, the newest one kept.
 */
export function planKeys(rows: OriginalApiKey[], ctx: PlanContext, available: Available): KeyRow[] {
  // Rows come oldest first: the last unrevoked key of a router is its newest.
  const newestActive = new Map<string, OriginalApiKey>();
  for (const key of rows) if (key.revoked === false) newestActive.set(key.router_id, key);
  return mapRows(
    ctx,
    'api_keys_tracking',
    rows,
    (k) => k.key_id,
    (k): KeyRow | 'skip' => {
      const hash = k.key_hash.trim().toLowerCase();
      const present = ctx.target.keyHashes.get(k.key_id);
      if (present === hash) return 'skip';
      if (present !== undefined) refuse(`key id ${k.key_id} is already in this database with another hash`);
      const holder = ctx.target.keyIds.get(hash);
      if (holder !== undefined) refuse(`its hash is already in this database as key ${holder}`);
      if (!SHA256_HEX.test(hash)) refuse('its key_hash is not a SHA-256 hex digest');
      if (k.key_id.length > 50) refuse('its key_id is longer than 50 characters');
      const router = requireRouter(available, k.router_id, k.empresa_id ?? available.routers.get(k.router_id)?.companyId ?? '');
      const companyId = requireCompany(available, router.companyId);
      const issuedAt = k.issued_at ?? refuse('it has no issued_at');
      if (k.expires_at.getTime() <= issuedAt.getTime()) refuse('it expires before it was issued');
      // NULL was never matched by the original's `revoked == False`: such a key could not authenticate.
      const revoked = k.revoked !== false;
      if (!revoked) {
        if (newestActive.get(k.router_id) !== k) refuse(`router ${k.router_id} has a newer unrevoked key (${newestActive.get(k.router_id)!.key_id}); only one may be active`);
        const active = ctx.target.activeKeys.get(k.router_id);
        if (active !== undefined) refuse(`router ${k.router_id} already has an active key in this database (${active})`);
      }
      if (k.revoked === null) ctx.report.note('api_keys_tracking', k.key_id, 'revoked was NULL, which the original treated as revoked: imported revoked');
      return {
        keyId: k.key_id,
        companyId,
        routerId: k.router_id,
        keyHash: hash,
        // The original kept only the hash: the portal package of such a router needs the key sent again.
        keyEncrypted: null,
        issuedAt,
        expiresAt: k.expires_at,
        revoked,
        // The original kept no revocation time: the last moment it is known to have been valid stands in.
        revokedAt: revoked ? (k.last_used ?? issuedAt) : null,
        lastUsedAt: k.last_used,
        useCount: Math.max(k.use_count ?? 0, 0),
      };
    },
  );
}

/** A product to write; its validity is unknown only in a dry run. */
export type PlannedProduct = Omit<ProductRow, 'validitySeconds'> & { validitySeconds: number | undefined };

/** A product's validity: read from its router profile (or the default), refused, or (dry run) read at import. */
export type Validity = { seconds: number; note?: string } | { refused: string } | { later: string };

export function planProducts(
  rows: OriginalProduct[],
  ctx: PlanContext,
  available: Available,
  validityOf: (product: OriginalProduct) => Validity,
): PlannedProduct[] {
  return mapRows(
    ctx,
    'productos',
    rows,
    (p) => p.id,
    (p): PlannedProduct | 'skip' => {
      const present = ctx.target.products.get(p.id);
      if (present) {
        if (present.routerId !== p.router_id || present.profileId !== (text(p.perfil_mikrotik_id) ?? '')) {
          refuse(`id ${p.id} is taken in this database by another product (router ${present.routerId}, profile ${present.profileName})`);
        }
        available.products.set(p.id, present);
        return 'skip';
      }
      const companyId = requireCompany(available, p.empresa_id);
      requireRouter(available, p.router_id, companyId);
      const profileName = p.perfil_mikrotik_nombre;
      if (!isProfileName(profileName)) refuse(`profile name "${profileName}" cannot be sent to a router`);
      const name = text(p.nombre_venta) ?? refuse('it has no name');
      const currency = (text(p.moneda) ?? 'MXN').toUpperCase();
      if (!(CURRENCIES as readonly string[]).includes(currency)) refuse(`currency "${p.moneda}" is not one of ${CURRENCIES.join(', ')}`);
      const priceCents = cents(p.precio, 'price');
      const validity = validityOf(p);
      if ('refused' in validity) refuse(validity.refused);
      const seconds = 'seconds' in validity ? validity.seconds : undefined;
      if ('seconds' in validity && validity.note) ctx.report.note('productos', p.id, validity.note);
      if ('later' in validity) ctx.report.note('productos', p.id, validity.later);
      const details = Array.isArray(p.detalles) ? p.detalles : p.detalles == null ? [] : [p.detalles];
      const row = {
        id: p.id,
        companyId,
        routerId: p.router_id,
        profileId: text(p.perfil_mikrotik_id) ?? '',
        profileName,
        name,
        description: p.descripcion,
        imageUrl: text(p.imagen_url),
        priceCents,
        currency: currency as Currency,
        validitySeconds: seconds,
        details,
        active: truthy(p.activo),
        displayOrder: p.orden_visual ?? 0,
        featured: truthy(p.destacado),
        createdAt: p.creado_en ?? new Date(),
      };
      available.products.set(p.id, row);
      return row;
    },
    (p) => available.refusedProducts.add(p.id),
  );
}

/** numeric(10,2) text → exact positive cents. */
export function cents(value: string, what: string): number {
  let amount: number;
  try {
    amount = toCents(value);
  } catch {
    return refuse(`${what} "${value}" is not an amount`);
  }
  if (amount <= 0) refuse(`${what} ${value} is not positive`);
  return amount;
}

/** `3600` → `1h (3600 s)`, for notes. */
export const describeSeconds = (seconds: number) => `${formatRouterDuration(seconds)} (${seconds} s)`;
