import { companyStats, createCompany, listCompanies, setCompanyActive, toCompanyResponse, updateCompany } from '../../admin/companies';
import { findCompany } from '../../../db/repositories/companies';
import type { RouteContext, ZodApp } from '../../context';
import { pageBody } from '../../http';
import { actorOf, SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, NOT_FOUND } from '../../schemas/admin/common';
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
      schema: {
        tags: TAGS,
        summary: 'Create a company (Conekta keys optional, stored encrypted)',
        security: SECURITY.admin,
        body: CreateCompanyRequest,
        response: { 200: CompanyResponse, ...ADMIN_ERRORS },
      },
    },
    async (request) => toCompanyResponse(await createCompany(ctx, actorOf(request), request.body)),
  );

  app.get(
    '/admin/empresas',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'List companies (paginated; total in X-Total-Count)',
        security: SECURITY.admin,
        querystring: CompanyListQuery,
        response: { 200: CompanyResponse.array(), ...ADMIN_ERRORS },
      },
    },
    async (request, reply) => pageBody(reply, await listCompanies(ctx, request.query), toCompanyResponse),
  );

  app.get(
    '/admin/empresas/:empresa_id',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Get a company',
        security: SECURITY.admin,
        params: CompanyParams,
        response: { 200: CompanyResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => toCompanyResponse(await findCompany(ctx.dataSource.manager, request.params.empresa_id)),
  );

  app.put(
    '/admin/empresas/:empresa_id',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Update a company; fields left out are unchanged',
        security: SECURITY.admin,
        params: CompanyParams,
        body: UpdateCompanyRequest,
        response: { 200: CompanyResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => toCompanyResponse(await updateCompany(ctx, actorOf(request), request.params.empresa_id, request.body)),
  );

  app.put(
    '/admin/empresas/:empresa_id/activa',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: "Activate or deactivate a company (a deactivated company's routers stop selling at once)",
        security: SECURITY.admin,
        params: CompanyParams,
        body: SetCompanyActiveRequest,
        response: { 200: CompanyActiveResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
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
      schema: {
        tags: TAGS,
        summary: 'Company statistics: routers, admins, keys, products, purchases and revenue',
        security: SECURITY.admin,
        params: CompanyParams,
        response: { 200: CompanyStatsResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => companyStats(ctx, request.params.empresa_id),
  );
}
