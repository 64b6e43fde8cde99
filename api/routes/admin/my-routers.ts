import { RouterEntity } from '../../../db/entities';
import { findPage } from '../../../db/repositories/pagination';
import type { RouteContext, ZodApp } from '../../app';
import { HttpError, STATUS_BY_CODE } from '../../errors';
import { SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, iso, NOT_FOUND, PageQuery } from '../../schemas/admin/common';
import { MyRoutersResponse } from '../../schemas/admin/my-routers';
import {
  HotspotProfileResponse,
  RouterParams,
  RouterUpdateResponse,
  TestConnectionResponse,
  UpdateRouterRequest,
} from '../../schemas/admin/routers';
import { ErrorResponse } from '../../schemas/common';
import { testConnection, toRouterResponse, updateRouter } from './routers';
import { actorOf, findOwned, ownCompanyId } from './scope';

const NOT_OURS = 'Router no encontrado o no pertenece a tu empresa';

/** Company admin: its own routers (spec §3.4) — list, connection data, live hotspot profiles, connection test. */
export function registerMyRouterRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');
  const ownRouter = (companyId: string, routerId: string) =>
    findOwned(ctx.dataSource.manager, RouterEntity, companyId, { id: routerId }, NOT_OURS);

  app.get(
    '/api/v1/admin/mi-empresa/routers',
    {
      onRequest,
      schema: {
        tags: ['Cliente Admin'],
        summary: 'The own routers (paginated)',
        security: SECURITY.admin,
        querystring: PageQuery,
        response: { 200: MyRoutersResponse, ...ADMIN_ERRORS },
      },
    },
    async (request) => {
      const companyId = ownCompanyId(request);
      const query = ctx.dataSource
        .getRepository(RouterEntity)
        .createQueryBuilder('r')
        .where('r.company_id = :companyId', { companyId })
        .orderBy('r.created_at', 'DESC')
        .addOrderBy('r.id');
      const { rows, total } = await findPage(query, request.query);
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
      schema: {
        tags: ['Cliente Admin'],
        summary: 'Update connection data of an own router; fields left out are unchanged, the password is stored encrypted',
        security: SECURITY.admin,
        params: RouterParams,
        body: UpdateRouterRequest,
        response: { 200: RouterUpdateResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
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
      schema: {
        tags: ['Cliente Admin - MikroTik'],
        summary: 'Hotspot user profiles read live from the router (through the worker)',
        security: SECURITY.admin,
        params: RouterParams,
        response: {
          200: HotspotProfileResponse.array(),
          ...ADMIN_ERRORS,
          ...NOT_FOUND,
          400: ErrorResponse,
          502: ErrorResponse,
          503: ErrorResponse,
        },
      },
    },
    async (request) => {
      const router = await ownRouter(ownCompanyId(request), request.params.router_id);
      if (!router.active) throw new HttpError(400, 'El router está inactivo. Actívalo primero desde el panel.');
      const probe = await ctx.workflows.probeRouter(router.id);
      if (!probe.ok) throw new HttpError(STATUS_BY_CODE[probe.code], probe.message);
      return probe.profiles.map((p) => ({
        id: p.id,
        name: p.name,
        session_timeout: p.sessionTimeout,
        idle_timeout: p.idleTimeout,
        keepalive_timeout: p.keepaliveTimeout,
        status_autorefresh: p.statusAutorefresh,
        shared_users: p.sharedUsers,
        rate_limit: p.rateLimit,
        address_list: p.addressList,
        mac_cookie_timeout: p.macCookieTimeout,
        add_mac_cookie: p.addMacCookie,
      }));
    },
  );

  app.get(
    '/api/v1/admin/routers/:router_id/test-connection',
    {
      onRequest,
      schema: {
        tags: ['Cliente Admin - MikroTik'],
        summary: 'Connect to an own router now (through the worker) and report identity, version and profiles',
        security: SECURITY.admin,
        params: RouterParams,
        response: { 200: TestConnectionResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => testConnection(ctx, await ownRouter(ownCompanyId(request), request.params.router_id)),
  );
}
