import type { z } from 'zod';
import { RouterApiKeyEntity, RouterEntity } from '../../../db/entities';
import { recordAudit } from '../../../db/repositories/audit';
import { findPage } from '../../../db/repositories/pagination';
import { issueRouterApiKey } from '../../auth/router-keys';
import type { RouteContext, ZodApp } from '../../app';
import { HttpError } from '../../errors';
import { SECURITY } from '../../plugins/auth';
import {
  ApiKeyParams,
  ApiKeyRecord,
  ApiKeyStatusResponse,
  RegenerateApiKeyResponse,
  RevokeApiKeyResponse,
} from '../../schemas/admin/api-keys';
import { ADMIN_ERRORS, iso, isoOrNull, NOT_FOUND, PageQuery } from '../../schemas/admin/common';
import { CompanyRouterParams } from '../../schemas/admin/routers';
import { ErrorResponse } from '../../schemas/common';
import { apiKeySettings } from './routers';
import { actorOf, findOwned, withTotal } from './scope';

const TAGS = ['Super Admin - Routers'];
const ROUTER_NOT_FOUND = 'Router no encontrado o no pertenece a la empresa';
const KEY_NOT_FOUND = 'API Key no encontrada';
const EXPIRY_WARNING_DAYS = 30;

function toKeyRecord(k: RouterApiKeyEntity): z.output<typeof ApiKeyRecord> {
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

/** Status of a router's current key, with the original's warnings (and `expired`, which it reported as active). */
function keyStatus(routerId: string, key: RouterApiKeyEntity | null, now = Date.now()): z.output<typeof ApiKeyStatusResponse> {
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
  let warning: string | null = null;
  let recommendation: string | null = null;
  if (expired) {
    warning = 'La API Key ha expirado';
    recommendation = 'Generar una nueva API Key';
  } else if (key.useCount === 0) {
    warning = 'Esta API Key nunca ha sido usada';
    recommendation = 'Verificar que el cliente la esté usando correctamente';
  } else if (days < EXPIRY_WARNING_DAYS) {
    warning = `La API Key expira en ${days} días`;
    recommendation = 'Considerar regenerar la API Key pronto';
  }
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

/** Super admin: router API keys (spec §3.5) — regenerate, history, revoke one, status. */
export function registerApiKeyRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('super_admin');
  const base = '/admin/empresas/:empresa_id/routers/:router_id';
  const routerOf = (companyId: string, routerId: string) =>
    findOwned(ctx.dataSource.manager, RouterEntity, companyId, { id: routerId }, ROUTER_NOT_FOUND);

  app.post(
    `${base}/regenerate-api-key`,
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Revoke the current key and issue a new one (in one transaction); the new key is shown only here',
        security: SECURITY.admin,
        params: CompanyRouterParams,
        response: { 200: RegenerateApiKeyResponse, ...ADMIN_ERRORS, ...NOT_FOUND, 400: ErrorResponse },
      },
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      const { issued, revoked } = await ctx.dataSource.transaction(async (tx) => {
        // Locking the router serialises concurrent regenerations: the schema allows one unrevoked key per router.
        const router = await findOwned(tx, RouterEntity, empresa_id, { id: router_id }, ROUTER_NOT_FOUND, true);
        if (!router.active) throw new HttpError(400, 'No se puede regenerar API key de un router inactivo');
        const revokedRows: { key_id: string }[] = await tx.query(
          `WITH revoked AS (
             UPDATE router_api_keys SET revoked = true, revoked_at = now() WHERE router_id = $1 AND NOT revoked RETURNING key_id)
           SELECT key_id FROM revoked`,
          [router_id],
        );
        const revokedIds = revokedRows.map((r) => r.key_id);
        const key = await issueRouterApiKey(tx, apiKeySettings(ctx), { companyId: empresa_id, routerId: router_id });
        await recordAudit(tx, {
          actor: actorOf(request),
          companyId: empresa_id,
          action: 'api_key.regenerated',
          targetType: 'router',
          targetId: router_id,
          detail: { new_key_id: key.keyId, revoked_key_ids: revokedIds },
        });
        return { issued: key, revoked: revokedIds };
      });
      ctx.routerKeys.invalidate();
      return {
        message: 'API Key regenerada exitosamente',
        router_id,
        new_api_key: issued.apiKey,
        api_key_info: {
          key_id: issued.keyId,
          issued_at: iso(issued.issuedAt),
          expires_at: iso(issued.expiresAt),
          type: 'router_api_key' as const,
        },
        previous_key_revoked: revoked.length > 0,
      };
    },
  );

  app.get(
    `${base}/api-keys`,
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: "A router's key history, newest first (paginated; total in X-Total-Count)",
        security: SECURITY.admin,
        params: CompanyRouterParams,
        querystring: PageQuery,
        response: { 200: ApiKeyRecord.array(), ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const { empresa_id, router_id } = request.params;
      await routerOf(empresa_id, router_id);
      await ctx.routerKeys.flushUsage();
      const query = ctx.dataSource
        .getRepository(RouterApiKeyEntity)
        .createQueryBuilder('k')
        .where('k.router_id = :router_id AND k.company_id = :empresa_id', { router_id, empresa_id })
        .orderBy('k.issued_at', 'DESC')
        .addOrderBy('k.key_id');
      const { rows, total } = await findPage(query, request.query);
      withTotal(reply, total);
      return rows.map(toKeyRecord);
    },
  );

  app.post(
    `${base}/api-keys/:key_id/revoke`,
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Revoke one key; it stops working at once',
        security: SECURITY.admin,
        params: ApiKeyParams,
        response: { 200: RevokeApiKeyResponse, ...ADMIN_ERRORS, ...NOT_FOUND, 400: ErrorResponse },
      },
    },
    async (request) => {
      const { empresa_id, router_id, key_id } = request.params;
      await routerOf(empresa_id, router_id);
      const revokedAt = await ctx.dataSource.transaction(async (tx) => {
        const key = await findOwned(tx, RouterApiKeyEntity, empresa_id, { keyId: key_id, routerId: router_id }, KEY_NOT_FOUND, true);
        if (key.revoked) throw new HttpError(400, 'La API Key ya está revocada');
        const at = new Date();
        await tx.update(RouterApiKeyEntity, { keyId: key_id }, { revoked: true, revokedAt: at });
        await recordAudit(tx, {
          actor: actorOf(request),
          companyId: empresa_id,
          action: 'api_key.revoked',
          targetType: 'api_key',
          targetId: key_id,
          detail: { router_id },
        });
        return at;
      });
      ctx.routerKeys.invalidate();
      return { message: 'API Key revocada exitosamente', key_id, router_id, revoked_at: iso(revokedAt) };
    },
  );

  app.get(
    `${base}/api-key-status`,
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: "Status of the router's current key, with expiry and never-used warnings",
        security: SECURITY.admin,
        params: CompanyRouterParams,
        response: { 200: ApiKeyStatusResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      await routerOf(empresa_id, router_id);
      await ctx.routerKeys.flushUsage();
      const key = await ctx.dataSource
        .getRepository(RouterApiKeyEntity)
        .findOneBy({ routerId: router_id, companyId: empresa_id, revoked: false });
      return keyStatus(router_id, key);
    },
  );
}
