import { auditPage } from '../../admin/audit';
import type { RouteContext, ZodApp } from '../../context';
import { AuditPageResponse, AuditQuery } from '../../schemas/admin/audit';
import { adminSchema } from '../../schemas/admin/common';

/** Super admin: who changed money, keys, credentials or access, and when. */
export function registerAuditRoutes(app: ZodApp, ctx: RouteContext): void {
  app.get(
    '/admin/audit-log',
    {
      onRequest: ctx.guards.admin('super_admin'),
      schema: adminSchema(['Super Admin - Auditoría'], {
        summary: 'Audit log, newest first, filtered by company, user, action, target and date range (paginated)',
        querystring: AuditQuery,
        response: { 200: AuditPageResponse },
      }),
    },
    async (request) => auditPage(ctx, request.query),
  );
}
