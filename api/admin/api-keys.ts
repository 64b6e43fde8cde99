import type { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { RouterApiKeyEntity, RouterEntity } from '../../db/entities';
import { recordAudit, type AuditActor } from '../../db/repositories/audit';
import { findOwned } from '../../db/repositories/owned';
import { findPage, type Page, type PageRequest } from '../../db/repositories/pagination';
import { apiKeySettings, issueRouterApiKey, type IssuedApiKey } from '../auth/router-keys';
import type { RouteContext } from '../context';
import { iso, isoOrNull } from '../schemas/admin/common';
import type { ApiKeyRecord, ApiKeyStatusResponse, RegenerateApiKeyResponse } from '../schemas/admin/api-keys';
import { findRouter, NOT_IN_COMPANY } from './routers';

/** Router API keys (super admin): issue, regenerate, history, revoke one, status. A key is shown once, when issued. */

type ApiKeyDeps = Pick<RouteContext, 'dataSource' | 'config' | 'routerKeys' | 'caches' | 'secrets'>;

const KEY_NOT_FOUND = 'API Key no encontrada';
/** A key expiring within this many days is flagged. */
const EXPIRY_WARNING_DAYS = 30;

/** A key as shown once, when issued. */
export function issuedKeyInfo(key: IssuedApiKey) {
  return { key_id: key.keyId, issued_at: iso(key.issuedAt), expires_at: iso(key.expiresAt), type: 'router_api_key' as const };
}

export function toKeyRecord(k: RouterApiKeyEntity): z.output<typeof ApiKeyRecord> {
  return {
    key_id: k.keyId,
    router_id: k.routerId,
    empresa_id: k.companyId,
    issued_at: iso(k.issuedAt),
    expires_at: iso(k.expiresAt),
    revoked: k.revoked,
    revoked_at: isoOrNull(k.revokedAt),
    last_used: isoOrNull(k.lastUsedAt),
    use_count: k.useCount,
  };
}

/** The company's router that every key route is under. */
function findKeyRouter(deps: Pick<ApiKeyDeps, 'dataSource'>, companyId: string, routerId: string): Promise<RouterEntity> {
  return findRouter(deps, companyId, routerId, NOT_IN_COMPANY);
}

/** Revokes the router's keys and issues a new one, in one transaction; the new key is shown only in this answer. */
export async function regenerateKey(deps: ApiKeyDeps, actor: AuditActor, companyId: string, routerId: string): Promise<z.output<typeof RegenerateApiKeyResponse>> {
  const { issued, revoked } = await deps.dataSource.transaction(async (tx) => {
    // Locking the router serialises concurrent regenerations: the schema allows one unrevoked key per router.
    const router = await findOwned(tx, RouterEntity, companyId, { id: routerId }, NOT_IN_COMPANY, true);
    if (!router.active) throw new DomainError('BAD_REQUEST', 'No se puede regenerar API key de un router inactivo');
    const revokedRows: { key_id: string }[] = await tx.query(
      `WITH revoked AS (
         UPDATE router_api_keys SET revoked = true, revoked_at = now() WHERE router_id = $1 AND NOT revoked RETURNING key_id)
       SELECT key_id FROM revoked`,
      [routerId],
    );
    const revokedIds = revokedRows.map((r) => r.key_id);
    const key = await issueRouterApiKey(tx, apiKeySettings(deps.config), deps.secrets, { companyId, routerId });
    await recordAudit(tx, {
      actor,
      companyId,
      action: 'api_key.regenerated',
      targetType: 'router',
      targetId: routerId,
      detail: { new_key_id: key.keyId, revoked_key_ids: revokedIds },
    });
    return { issued: key, revoked: revokedIds };
  });
  await deps.caches.changed('router-keys');
  return {
    message: 'API Key regenerada exitosamente',
    router_id: routerId,
    new_api_key: issued.apiKey,
    api_key_info: issuedKeyInfo(issued),
    previous_key_revoked: revoked.length > 0,
  };
}

/** A router's keys, newest first, with their usage up to now. */
export async function keyHistory(deps: ApiKeyDeps, companyId: string, routerId: string, page: PageRequest): Promise<Page<RouterApiKeyEntity>> {
  await findKeyRouter(deps, companyId, routerId);
  await deps.routerKeys.flushUsage();
  const query = deps.dataSource
    .getRepository(RouterApiKeyEntity)
    .createQueryBuilder('k')
    .where('k.router_id = :router_id AND k.company_id = :empresa_id', { router_id: routerId, empresa_id: companyId })
    .orderBy('k.issued_at', 'DESC')
    .addOrderBy('k.key_id');
  return findPage(query, page);
}

/** Revokes one key: it stops working at once. Returns when. */
export async function revokeKey(deps: ApiKeyDeps, actor: AuditActor, companyId: string, routerId: string, keyId: string): Promise<Date> {
  await findKeyRouter(deps, companyId, routerId);
  const revokedAt = await deps.dataSource.transaction(async (tx) => {
    const key = await findOwned(tx, RouterApiKeyEntity, companyId, { keyId, routerId }, KEY_NOT_FOUND, true);
    if (key.revoked) throw new DomainError('BAD_REQUEST', 'La API Key ya está revocada');
    const at = new Date();
    await tx.update(RouterApiKeyEntity, { keyId }, { revoked: true, revokedAt: at });
    await recordAudit(tx, { actor, companyId, action: 'api_key.revoked', targetType: 'api_key', targetId: keyId, detail: { router_id: routerId } });
    return at;
  });
  await deps.caches.changed('router-keys');
  return revokedAt;
}

/** The router's current key with its expiry and usage warnings (an expired key is reported as such). */
export async function keyStatus(deps: ApiKeyDeps, companyId: string, routerId: string, now = Date.now()): Promise<z.output<typeof ApiKeyStatusResponse>> {
  await findKeyRouter(deps, companyId, routerId);
  await deps.routerKeys.flushUsage();
  const key = await deps.dataSource.getRepository(RouterApiKeyEntity).findOneBy({ routerId, companyId, revoked: false });
  if (!key) {
    return {
      router_id: routerId,
      has_active_key: false,
      key_id: null,
      issued_at: null,
      expires_at: null,
      expires_in_days: null,
      last_used: null,
      use_count: null,
      status: 'no_key',
      warning: null,
      recommendation: 'Generar una nueva API Key',
    };
  }
  const days = Math.floor((key.expiresAt.getTime() - now) / 86_400_000);
  const expired = key.expiresAt.getTime() <= now;
  const [warning, recommendation] = expired
    ? ['La API Key ha expirado', 'Generar una nueva API Key']
    : key.useCount === 0
      ? ['Esta API Key nunca ha sido usada', 'Verificar que el cliente la esté usando correctamente']
      : days < EXPIRY_WARNING_DAYS
        ? [`La API Key expira en ${days} días`, 'Considerar regenerar la API Key pronto']
        : [null, null];
  return {
    router_id: routerId,
    has_active_key: !expired,
    key_id: key.keyId,
    issued_at: iso(key.issuedAt),
    expires_at: iso(key.expiresAt),
    expires_in_days: days,
    last_used: isoOrNull(key.lastUsedAt),
    use_count: key.useCount,
    status: expired ? 'expired' : 'active',
    warning,
    recommendation,
  };
}
