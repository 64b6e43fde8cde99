import type { FastifyRequest } from 'fastify';
import { findRouter, listRouters, liveProfiles, NOT_OURS, testConnection, toRouterResponse, updateRouter } from '../../admin/routers';
import type { RouteContext, ZodApp } from '../../context';
import { actorOf, ownCompanyId } from '../../plugins/auth';
import { adminSchema, iso, ListQuery, NOT_FOUND } from '../../schemas/admin/common';
import { MyRoutersResponse } from '../../schemas/admin/my-routers';
import {
  HotspotProfileResponse,
  RouterParams,
  RouterUpdateResponse,
  TestConnectionResponse,
  UpdateRouterRequest,
} from '../../schemas/admin/routers';
import { ErrorResponse } from '../../schemas/common';
/** Company admin: its own routers — list, connection data, live hotspot profiles, connection test. */
export function registerMyRouterRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');
  const ownRouter = (request: FastifyRequest, routerId: string) => findRouter(ctx, ownCompanyId(request), routerId, NOT_OURS);

  app.get(
    '/api/v1/admin/mi-empresa/routers',
    {
      onRequest,
      schema: adminSchema(['Cliente Admin'], {
        summary: 'The own routers (paginated)',
        querystring: ListQuery,
        response: { 200: MyRoutersResponse },
      }),
    },
    async (request) => {
      const companyId = ownCompanyId(request);
      const { rows, total } = await listRouters(ctx, companyId, request.query);
      return {
        empresa_id: companyId,
        total,
        routers: rows.map((r) => ({
          id: r.id,
          nombre: r.name,
          host: r.host,
          ubicacion: r.location,
          activo: r.active,
          creado_en: iso(r.createdAt),
        })),
      };
    },
  );

  app.put(
    '/api/v1/admin/mi-empresa/routers/:router_id',
    {
      onRequest,
      schema: adminSchema(['Cliente Admin'], {
        summary: 'Update connection data of an own router; fields left out are unchanged, the password is stored encrypted',
        params: RouterParams,
        body: UpdateRouterRequest,
        response: { 200: RouterUpdateResponse, ...NOT_FOUND },
      }),
    },
    async (request) => {
      const router = await updateRouter(ctx, actorOf(request), ownCompanyId(request), request.params.router_id, request.body, NOT_OURS);
      return { message: 'Router actualizado correctamente', router: toRouterResponse(router) };
    },
  );

  app.get(
    '/api/v1/admin/routers/:router_id/mikrotik-profiles',
    {
      onRequest,
      schema: adminSchema(['Cliente Admin - MikroTik'], {
        summary: 'Hotspot user profiles read live from the router (through the worker)',
        params: RouterParams,
        response: {
          200: HotspotProfileResponse.array(),
          ...NOT_FOUND,
          400: ErrorResponse,
          502: ErrorResponse,
          503: ErrorResponse,
        },
      }),
    },
    async (request) => liveProfiles(ctx, await ownRouter(request, request.params.router_id)),
  );

  app.get(
    '/api/v1/admin/routers/:router_id/test-connection',
    {
      onRequest,
      schema: adminSchema(['Cliente Admin - MikroTik'], {
        summary: 'Connect to an own router now (through the worker) and report identity, version and profiles',
        params: RouterParams,
        response: { 200: TestConnectionResponse, ...NOT_FOUND },
      }),
    },
    async (request) => testConnection(ctx, await ownRouter(request, request.params.router_id)),
  );
}
