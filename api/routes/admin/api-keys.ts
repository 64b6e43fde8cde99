import { keyHistory, keyStatus, regenerateKey, revokeKey, toKeyRecord } from '../../admin/api-keys';
import type { RouteContext, ZodApp } from '../../context';
import { pageBody } from '../../http';
import { actorOf } from '../../plugins/auth';
import {
  ApiKeyParams,
  ApiKeyRecord,
  ApiKeyStatusResponse,
  RegenerateApiKeyResponse,
  RevokeApiKeyResponse,
} from '../../schemas/admin/api-keys';
import { adminSchema, iso, ListQuery, NOT_FOUND } from '../../schemas/admin/common';
import { CompanyRouterParams } from '../../schemas/admin/routers';
import { ErrorResponse } from '../../schemas/common';

const TAGS = ['Super Admin - Routers'];

/** Super admin: router API keys — regenerate, history, revoke one, status. */
export function registerApiKeyRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('super_admin');
  const base = '/admin/empresas/:empresa_id/routers/:router_id';

  app.post(
    `${base}/regenerate-api-key`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Revoke the current key and issue a new one (in one transaction); the new key is shown only here',
        params: CompanyRouterParams,
        response: { 200: RegenerateApiKeyResponse, ...NOT_FOUND, 400: ErrorResponse },
      }),
    },
    async (request) => regenerateKey(ctx, actorOf(request), request.params.empresa_id, request.params.router_id),
  );

  app.get(
    `${base}/api-keys`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: "A router's key history, newest first (paginated; total in X-Total-Count)",
        params: CompanyRouterParams,
        querystring: ListQuery,
        response: { 200: ApiKeyRecord.array(), ...NOT_FOUND },
      }),
    },
    async (request, reply) => pageBody(reply, await keyHistory(ctx, request.params.empresa_id, request.params.router_id, request.query), toKeyRecord),
  );

  app.post(
    `${base}/api-keys/:key_id/revoke`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Revoke one key; it stops working at once',
        params: ApiKeyParams,
        response: { 200: RevokeApiKeyResponse, ...NOT_FOUND, 400: ErrorResponse },
      }),
    },
    async (request) => {
      const { empresa_id, router_id, key_id } = request.params;
      const revokedAt = await revokeKey(ctx, actorOf(request), empresa_id, router_id, key_id);
      return { message: 'API Key revocada exitosamente', key_id, router_id, revoked_at: iso(revokedAt) };
    },
  );

  app.get(
    `${base}/api-key-status`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: "Status of the router's current key, with expiry and never-used warnings",
        params: CompanyRouterParams,
        response: { 200: ApiKeyStatusResponse, ...NOT_FOUND },
      }),
    },
    async (request) => keyStatus(ctx, request.params.empresa_id, request.params.router_id),
  );
}
