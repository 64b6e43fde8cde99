import { companyDashboard, platformDashboard } from '../../admin/dashboard';
import type { RouteContext, ZodApp } from '../../context';
import { ownCompanyId } from '../../plugins/auth';
import { adminSchema } from '../../schemas/admin/common';
import { CompanyDashboardResponse, DashboardQuery, GlobalDashboardResponse } from '../../schemas/admin/dashboard';

/** Dashboards: the platform's (super admin) and one company's (company admin), both with revenue per currency. */
export function registerDashboardRoutes(app: ZodApp, ctx: RouteContext): void {
  app.get(
    '/admin/dashboard',
    {
      onRequest: ctx.guards.admin('super_admin'),
      schema: adminSchema(['Super Admin'], {
        summary: 'Platform counts and revenue per currency (purchases optionally limited to ?desde=&hasta=)',
        querystring: DashboardQuery,
        response: { 200: GlobalDashboardResponse },
      }),
    },
    async (request) => platformDashboard(ctx, request.query),
  );

  app.get(
    '/api/v1/admin/mi-empresa/dashboard',
    {
      onRequest: ctx.guards.admin('cliente_admin'),
      schema: adminSchema(['Cliente Admin'], {
        summary: "Company dashboard: the original's totals plus revenue and counts per day, router and product, and approval rate",
        querystring: DashboardQuery,
        response: { 200: CompanyDashboardResponse },
      }),
    },
    async (request) => companyDashboard(ctx, ownCompanyId(request), request.query),
  );
}
