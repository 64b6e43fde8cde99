import type { z } from 'zod';
import { findAuditPage } from '../../db/repositories/audit';
import type { AppDeps } from '../context';
import type { AuditPageResponse, AuditQuery } from '../schemas/admin/audit';
import { iso, toDateRange } from '../schemas/admin/common';

/** Who changed money, keys, credentials or access, and when: newest first, filtered. */
export async function auditPage(deps: Pick<AppDeps, 'dataSource'>, query: z.output<typeof AuditQuery>): Promise<z.output<typeof AuditPageResponse>> {
  const { limit, offset, empresa_id, usuario_id, accion, objetivo_id } = query;
  const { rows, total } = await findAuditPage(
    deps.dataSource.manager,
    { companyId: empresa_id, actorUserId: usuario_id, action: accion, targetId: objetivo_id, ...toDateRange(query) },
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
}
