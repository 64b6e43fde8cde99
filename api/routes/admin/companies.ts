import { companyStats, createCompany, listCompanies, setCompanyActive, toCompanyResponse, updateCompany } from '../../admin/companies';
import { findCompany } from '../../../db/repositories/companies';
import type { RouteContext, ZodApp } from '../../context';
import { pageBody } from '../../http';
import { actorOf } from '../../plugins/auth';
import { adminSchema, NOT_FOUND } from '../../schemas/admin/common';
import {
  CompanyActiveResponse,
  CompanyListQuery,
  CompanyParams,
  CompanyResponse,
  CompanyStatsResponse,
  CreateCompanyRequest,
  SetCompanyActiveRequest,
  UpdateCompanyRequest,
} from '../../schemas/admin/companies';

const TAGS = ['Super Admin'];

/** Super admin: companies — create, list, read, update, activate, statistics. */
export function registerCompanyRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('super_admin');

  app.post(
    '/admin/empresas',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Create a company (Conekta keys optional, stored encrypted)',
        body: CreateCompanyRequest,
        response: { 200: CompanyResponse },
      }),
    },
    async (request) => toCompanyResponse(await createCompany(ctx, actorOf(request), request.body)),
  );

  app.get(
    '/admin/empresas',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'List companies (paginated; total in X-Total-Count)',
        querystring: CompanyListQuery,
        response: { 200: CompanyResponse.array() },
      }),
    },
    async (request, reply) => pageBody(reply, await listCompanies(ctx, request.query), toCompanyResponse),
  );

  app.get(
    '/admin/empresas/:empresa_id',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Get a company',
        params: CompanyParams,
        response: { 200: CompanyResponse, ...NOT_FOUND },
      }),
    },
    async (request) => toCompanyResponse(await findCompany(ctx.dataSource.manager, request.params.empresa_id)),
  );

  app.put(
    '/admin/empresas/:empresa_id',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Update a company; fields left out are unchanged',
        params: CompanyParams,
        body: UpdateCompanyRequest,
        response: { 200: CompanyResponse, ...NOT_FOUND },
      }),
    },
    async (request) => toCompanyResponse(await updateCompany(ctx, actorOf(request), request.params.empresa_id, request.body)),
  );

  app.put(
    '/admin/empresas/:empresa_id/activa',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: "Activate or deactivate a company (a deactivated company's routers stop selling at once)",
        params: CompanyParams,
        body: SetCompanyActiveRequest,
        response: { 200: CompanyActiveResponse, ...NOT_FOUND },
      }),
    },
    async (request) => {
      const { activa } = request.body;
      const id = request.params.empresa_id;
      await setCompanyActive(ctx, actorOf(request), id, activa);
      return { message: `Empresa ${activa ? 'activada' : 'desactivada'} correctamente`, empresa_id: id, activa };
    },
  );

  app.get(
    '/admin/empresas/:empresa_id/stats',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Company statistics: routers, admins, keys, products, purchases and revenue',
        params: CompanyParams,
        response: { 200: CompanyStatsResponse, ...NOT_FOUND },
      }),
    },
    async (request) => companyStats(ctx, request.params.empresa_id),
  );
}
