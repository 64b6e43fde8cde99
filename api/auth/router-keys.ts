import { randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { DataSource, EntityManager } from 'typeorm';
import { type CompanyEntity, RouterApiKeyEntity, type RouterEntity } from '../../db/entities';
import type { Config } from '../../shared/config';
import { type SecretBox, sha256Hex } from '../../shared/secrets';
import { DomainError } from '../../domain/errors';
import { credentialFrom } from './headers';

/**
 * Router API keys: `jwt_` + an HMAC JWT, the format routers set up for the previous service still carry. Looked up by
 * their SHA-256; also kept encrypted, for the router's portal package only.
 */

export const API_KEY_PREFIX = 'jwt_';
export const API_KEY_ISSUER = 'mikrotik-payment-api';
export const API_KEY_TYPE = 'router_api_key';

export interface ApiKeySettings {
  secret: string;
  algorithm: string;
  expireDays: number;
}

/** The settings keys are issued with, from the configuration. */
export function apiKeySettings(config: Pick<Config, 'JWT_APIKEY_SECRET' | 'JWT_ALGORITHM' | 'JWT_APIKEY_EXPIRE_DAYS'>): ApiKeySettings {
  return { secret: config.JWT_APIKEY_SECRET, algorithm: config.JWT_ALGORITHM, expireDays: config.JWT_APIKEY_EXPIRE_DAYS };
}

export interface IssuedApiKey {
  apiKey: string;
  keyId: string;
  issuedAt: Date;
  expiresAt: Date;
}

const encoder = new TextEncoder();

/** Issues a key for a router and records its hash and its encryption. The caller revokes any previous key in the same transaction. */
export async function issueRouterApiKey(
  manager: EntityManager,
  settings: ApiKeySettings,
  secrets: Pick<SecretBox, 'encrypt'>,
  target: { companyId: string; routerId: string },
  now = new Date(),
): Promise<IssuedApiKey> {
  const keyId = `key_${randomBytes(8).toString('hex')}`;
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + settings.expireDays * 86_400;
  const jwt = await new SignJWT({ empresa: target.companyId, type: API_KEY_TYPE })
    .setProtectedHeader({ alg: settings.algorithm, typ: 'JWT' })
    .setJti(keyId)
    .setIssuer(API_KEY_ISSUER)
    .setSubject(target.routerId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(encoder.encode(settings.secret));
  const issuedAt = new Date(iat * 1000);
  const expiresAt = new Date(exp * 1000);
  const apiKey = `${API_KEY_PREFIX}${jwt}`;
  await manager.insert(RouterApiKeyEntity, {
    keyId,
    companyId: target.companyId,
    routerId: target.routerId,
    keyHash: sha256Hex(jwt),
    keyEncrypted: secrets.encrypt(apiKey),
    issuedAt,
    expiresAt,
    revoked: false,
    revokedAt: null,
  });
  return { apiKey, keyId, issuedAt, expiresAt };
}

/** Who a valid router key speaks for. */
export interface RouterPrincipal {
  keyId: string;
  company: Pick<CompanyEntity, 'id' | 'name' | 'active'>;
  router: Pick<RouterEntity, 'id' | 'name' | 'location' | 'active' | 'companyId'>;
}

interface CachedKey {
  principal: RouterPrincipal | null; // null: unknown or revoked
  loadedAt: number;
}

interface KeyClaims {
  jti?: string;
  sub?: string;
  empresa?: unknown;
  type?: unknown;
  exp?: number;
}

/** Bounds of the in-memory caches: keys are few; a flood of distinct (valid) tokens only clears them. */
const CACHE_ENTRIES = 10_000;

export interface RouterKeyAuthenticatorOptions {
  dataSource: DataSource;
  secret: string;
  algorithm: string;
  /**
   * How long a key lookup is trusted. Admin changes clear the cache of every API process at once (`SharedCaches`); this
   * is the backstop should such a message be lost.
   */
  cacheTtlMs?: number;
  /** How often usage counters are written (batched; never a write per request). */
  flushIntervalMs?: number;
  now?: () => number;
}

/**
 * Verifies router keys on every portal request without writing to the database: the JWT signature is checked once
 * per token and its expiry on every request, the key row (revocation, company and router active flags) is cached for
 * a few seconds, and usage is counted in memory and flushed in batches (a `use_count += 1` per request would be a
 * write on every page view, and a lost-update race).
 */
export class RouterKeyAuthenticator {
  private readonly cache = new Map<string, CachedKey>();
  /** Claims of tokens whose signature verified, by the exact token: an HMAC per page view is a tenth of the catalog's cost. */
  private readonly verified = new Map<string, KeyClaims>();
  private readonly usage = new Map<string, { count: number; lastUsed: number }>();
  private readonly ttl: number;
  private readonly now: () => number;
  private readonly key: Uint8Array;
  private readonly timer?: NodeJS.Timeout;

  constructor(private readonly options: RouterKeyAuthenticatorOptions) {
    this.ttl = options.cacheTtlMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.key = encoder.encode(options.secret);
    const interval = options.flushIntervalMs ?? 10_000;
    if (interval > 0) {
      this.timer = setInterval(() => void this.flushUsage().catch(() => undefined), interval);
      this.timer.unref();
    }
  }

  /** The router of a valid key of an active router of an active company. */
  async authenticate(headers: Record<string, string | string[] | undefined>): Promise<RouterPrincipal> {
    const principal = await this.identify(headers);
    if (!principal.router.active) throw new DomainError('UNAUTHENTICATED', 'Router no activo');
    return principal;
  }

  /**
   * The router of a valid key of an active company, whether the router is active or not: the routes that answer an
   * inactive router themselves (as the previous service did) say so in their body.
   */
  async identify(headers: Record<string, string | string[] | undefined>): Promise<RouterPrincipal> {
    const credential = credentialFrom(headers, true);
    if (!credential.startsWith(API_KEY_PREFIX)) throw new DomainError('UNAUTHENTICATED', 'Formato de API Key inválido');
    const jwt = credential.slice(API_KEY_PREFIX.length);
    const claims = await this.verify(jwt);
    if (claims.type !== API_KEY_TYPE || !claims.jti || !claims.sub) throw new DomainError('UNAUTHENTICATED', 'API Key inválida');

    const principal = await this.lookup(sha256Hex(jwt));
    if (!principal || principal.keyId !== claims.jti || principal.router.id !== claims.sub || principal.company.id !== claims.empresa) {
      throw new DomainError('UNAUTHENTICATED', 'API Key no válida o revocada');
    }
    if (!principal.company.active) throw new DomainError('UNAUTHENTICATED', 'Empresa no activa');
    this.count(principal.keyId);
    return principal;
  }

  /** Forgets cached lookups at once (after an admin revoked a key, changed a router or deactivated a company). */
  invalidate(): void {
    this.cache.clear();
  }

  /** Writes the usage counted since the last flush, one UPDATE per key used. */
  async flushUsage(): Promise<void> {
    if (this.usage.size === 0) return;
    const batch = [...this.usage.entries()];
    this.usage.clear();
    for (const [keyId, { count, lastUsed }] of batch) {
      await this.options.dataSource.query(
        `UPDATE router_api_keys SET use_count = use_count + $2,
           last_used_at = GREATEST(COALESCE(last_used_at, to_timestamp(0)), to_timestamp($3 / 1000.0))
         WHERE key_id = $1`,
        [keyId, count, lastUsed],
      );
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushUsage().catch(() => undefined);
  }

  private async verify(jwt: string): Promise<KeyClaims> {
    let claims = this.verified.get(jwt);
    if (!claims) {
      try {
        ({ payload: claims } = await jwtVerify(jwt, this.key, { algorithms: [this.options.algorithm], currentDate: new Date(this.now()) }));
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw new DomainError('UNAUTHENTICATED', 'API Key expirada');
        throw new DomainError('UNAUTHENTICATED', 'API Key inválida');
      }
      if (this.verified.size >= CACHE_ENTRIES) this.verified.clear();
      this.verified.set(jwt, claims);
    }
    // As jose does: expired from the second `exp` names.
    if (claims.exp !== undefined && claims.exp <= Math.floor(this.now() / 1000)) throw new DomainError('UNAUTHENTICATED', 'API Key expirada');
    return claims;
  }

  private count(keyId: string) {
    const entry = this.usage.get(keyId);
    if (entry) {
      entry.count += 1;
      entry.lastUsed = this.now();
    } else {
      this.usage.set(keyId, { count: 1, lastUsed: this.now() });
    }
  }

  private async lookup(keyHash: string): Promise<RouterPrincipal | null> {
    const cached = this.cache.get(keyHash);
    if (cached && this.now() - cached.loadedAt < this.ttl) return cached.principal;
    const rows: {
      key_id: string;
      company_id: string;
      company_name: string;
      company_active: boolean;
      router_id: string;
      router_name: string;
      router_location: string | null;
      router_active: boolean;
    }[] = await this.options.dataSource.query(
      `SELECT k.key_id, c.id AS company_id, c.name AS company_name, c.active AS company_active,
              r.id AS router_id, r.name AS router_name, r.location AS router_location, r.active AS router_active
         FROM router_api_keys k
         JOIN routers r ON r.id = k.router_id AND r.company_id = k.company_id
         JOIN companies c ON c.id = k.company_id
        WHERE k.key_hash = $1 AND NOT k.revoked`,
      [keyHash],
    );
    const row = rows[0];
    const principal: RouterPrincipal | null = row
      ? {
          keyId: row.key_id,
          company: { id: row.company_id, name: row.company_name, active: row.company_active },
          router: {
            id: row.router_id,
            companyId: row.company_id,
            name: row.router_name,
            location: row.router_location,
            active: row.router_active,
          },
        }
      : null;
    if (this.cache.size > CACHE_ENTRIES) this.cache.clear(); // junk tokens never reach here
    this.cache.set(keyHash, { principal, loadedAt: this.now() });
    return principal;
  }
}
