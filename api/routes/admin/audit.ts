import { findAuditPage } from '../../../db/repositories/audit';
import type { RouteContext, ZodApp } from '../../app';
import { SECURITY } from '../../plugins/auth';
import { AuditPageResponse, AuditQuery } from '../../schemas/admin/audit';
import { ADMIN_ERRORS, iso, toDateRange } from '../../schemas/admin/common';

/** Super admin: who changed money, keys, credentials or access, and when. */
export function registerAuditRoutes(app: ZodApp, ctx: RouteContext): void {
  app.get(
    '/admin/audit-log',
    {
      onRequest: ctx.guards.admin('super_admin'),
      schema: {
        tags: ['Super Admin - Auditoría'],
        summary: 'Audit log, newest first, filtered by company, user, action, target and date range (paginated)',
        security: SECURITY.admin,
        querystring: AuditQuery,
        response: { 200: AuditPageResponse, ...ADMIN_ERRORS },
      },
    },
    async (request) => {
      const { limit, offset, empresa_id, usuario_id, accion, objetivo_id } = request.query;
      const { rows, total } = await findAuditPage(
        ctx.dataSource.manager,
        { companyId: empresa_id, actorUserId: usuario_id, action: accion, targetId: objetivo_id, ...toDateRange(request.query) },
        { limit, offset },
      );
      return {
        total,
        limit,
        offset,
        registros: rows.map((a) => ({
          id: Number(a.id),
          creado_en: iso(a.createdAt),
          actor_id: a.actorUserId,
          actor_email: a.actorEmail,
          empresa_id: a.companyId,
          accion: a.action,
          objetivo_tipo: a.targetType,
          objetivo_id: a.targetId,
          detalle: a.detail,
        })),
      };
    },
  );
}
