import {
  createRouter,
  deleteRouter,
  findRouter,
  listRouters,
  NOT_IN_COMPANY,
  setRouterActive,
  testConnection,
  toRouterResponse,
  updateRouter,
} from '../../admin/routers';
import { issuedKeyInfo } from '../../admin/api-keys';
import type { RouteContext, ZodApp } from '../../context';
import { pageBody } from '../../http';
import { actorOf } from '../../plugins/auth';
import { adminSchema, NOT_FOUND } from '../../schemas/admin/common';
import { CompanyParams } from '../../schemas/admin/companies';
import { findCompany } from '../../../db/repositories/companies';
import {
  CompanyRouterParams,
  CreateRouterRequest,
  RouterActiveResponse,
  RouterCreateResponse,
  RouterDeletedResponse,
  RouterListQuery,
  RouterResponse,
  RouterUpdateResponse,
  SetRouterActiveRequest,
  TestConnectionResponse,
  UpdateRouterRequest,
} from '../../schemas/admin/routers';
import { ErrorResponse } from '../../schemas/common';

const TAGS = ['Super Admin - Routers'];

/** Super admin: the routers of a company — create (with its first key), list, read, update connection data. */
export function registerRouterRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('super_admin');
  const base = '/admin/empresas/:empresa_id/routers';

  app.post(
    base,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Create a router; the response carries its API key, shown only this once',
        params: CompanyParams,
        body: CreateRouterRequest,
        response: { 200: RouterCreateResponse, ...NOT_FOUND },
      }),
    },
    async (request) => {
      const { router, key } = await createRouter(ctx, actorOf(request), request.params.empresa_id, request.body);
      return { ...toRouterResponse(router), api_key: key.apiKey, api_key_info: issuedKeyInfo(key) };
    },
  );

  app.get(
    base,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: "List a company's routers (paginated; total in X-Total-Count)",
        params: CompanyParams,
        querystring: RouterListQuery,
        response: { 200: RouterResponse.array(), ...NOT_FOUND },
      }),
    },
    async (request, reply) => {
      const company = await findCompany(ctx.dataSource.manager, request.params.empresa_id);
      return pageBody(reply, await listRouters(ctx, company.id, request.query), toRouterResponse);
    },
  );

  app.get(
    `${base}/:router_id`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Get a router',
        params: CompanyRouterParams,
        response: { 200: RouterResponse, ...NOT_FOUND },
      }),
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      return toRouterResponse(await findRouter(ctx, empresa_id, router_id, NOT_IN_COMPANY));
    },
  );

  app.put(
    `${base}/:router_id`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Update connection data; fields left out are unchanged',
        params: CompanyRouterParams,
        body: UpdateRouterRequest,
        response: { 200: RouterUpdateResponse, ...NOT_FOUND },
      }),
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      const router = await updateRouter(ctx, actorOf(request), empresa_id, router_id, request.body, NOT_IN_COMPANY);
      return { message: 'Router actualizado correctamente', router: toRouterResponse(router) };
    },
  );
}

/** Super admin: a router's life — (de)activate it (its key stops or resumes working), delete it, test its connection. */
export function registerRouterLifecycleRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('super_admin');
  const base = '/admin/empresas/:empresa_id/routers';

  app.put(
    `${base}/:router_id/activo`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Activate or deactivate a router',
        params: CompanyRouterParams,
        body: SetRouterActiveRequest,
        response: { 200: RouterActiveResponse, ...NOT_FOUND },
      }),
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      return setRouterActive(ctx, actorOf(request), empresa_id, router_id, request.body.activo);
    },
  );

  app.put(
    `${base}/:router_id/toggle-activo`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: "Flip a router's active flag (the original's endpoint; prefer PUT …/activo)",
        params: CompanyRouterParams,
        response: { 200: RouterActiveResponse, ...NOT_FOUND },
      }),
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      return setRouterActive(ctx, actorOf(request), empresa_id, router_id, 'toggle');
    },
  );

  app.delete(
    `${base}/:router_id`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Delete a router with its products and keys; refused (409) while it has purchases in course or active',
        params: CompanyRouterParams,
        response: { 200: RouterDeletedResponse, ...NOT_FOUND, 409: ErrorResponse },
      }),
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      await deleteRouter(ctx, actorOf(request), empresa_id, router_id);
      return { message: 'Router eliminado correctamente', router_id };
    },
  );

  app.get(
    `${base}/:router_id/test-connection`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Connect to the router now (through the worker) and report identity, version and profiles',
        params: CompanyRouterParams,
        response: { 200: TestConnectionResponse, ...NOT_FOUND },
      }),
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      return testConnection(ctx, await findRouter(ctx, empresa_id, router_id, NOT_IN_COMPANY));
    },
  );
}
