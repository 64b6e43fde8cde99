import type { EntityManager } from 'typeorm';
import { AuditLogEntity } from '../entities';
import { findPage, type Page, type PageRequest } from './pagination';

/** Everything an admin can do to money, keys, credentials or access. Stable strings: operators filter on them. */
export type AuditAction =
  | 'company.created'
  | 'company.updated'
  | 'company.activated'
  | 'company.deactivated'
  | 'company.logo_updated'
  | 'gateway.conekta_updated'
  | 'gateway.mercado_pago_updated'
  | 'gateway.conekta_webhook_key_registered'
  | 'notifications.telegram_updated'
  | 'router.created'
  | 'router.updated'
  | 'router.activated'
  | 'router.deactivated'
  | 'router.deleted'
  | 'api_key.issued'
  | 'api_key.regenerated'
  | 'api_key.revoked'
  | 'user.created'
  | 'user.updated'
  | 'user.activated'
  | 'user.deactivated'
  | 'user.password_reset'
  | 'product.created'
  | 'product.updated'
  | 'product.deactivated'
  | 'product.reordered'
  | 'purchase.refund'
  | 'purchase.revoke'
  | 'purchase.extend'
  | 'voucher.batch_created'
  | 'voucher.batch_revoked'
  | 'voucher.revoked'
  | 'import.original';

/** The admin user who did something. */
export interface AuditActor {
  id: number;
  email: string;
}

export interface AuditEntry {
  actor: AuditActor | null;
  companyId: string | null;
  action: AuditAction;
  targetType?: string;
  targetId?: string | number;
  /** What changed: field names, amounts, outcomes. Never a secret value. */
  detail?: Record<string, unknown>;
}

/** Appends one audit row; pass the transaction's manager so the record commits (or not) with the change. */
export async function recordAudit(manager: EntityManager, entry: AuditEntry): Promise<void> {
  await manager.query(
    `INSERT INTO audit_log (actor_user_id, actor_email, company_id, action, target_type, target_id, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
    [
      entry.actor?.id ?? null,
      entry.actor?.email ?? null,
      entry.companyId,
      entry.action,
      entry.targetType ?? null,
      entry.targetId === undefined ? null : String(entry.targetId),
      JSON.stringify(entry.detail ?? {}),
    ],
  );
}

export interface AuditFilters {
  companyId?: string;
  actorUserId?: number;
  /** Exact action, or a prefix ending in `.` (`purchase.`) for a whole family. */
  action?: string;
  targetId?: string;
  from?: Date;
  before?: Date;
}

/** Audit rows matching the filters, newest first. */
export async function findAuditPage(manager: EntityManager, filters: AuditFilters, page: PageRequest): Promise<Page<AuditLogEntity>> {
  const query = manager.getRepository(AuditLogEntity).createQueryBuilder('a').orderBy('a.created_at', 'DESC').addOrderBy('a.id', 'DESC');
  if (filters.companyId !== undefined) query.andWhere('a.company_id = :companyId', { companyId: filters.companyId });
  if (filters.actorUserId !== undefined) query.andWhere('a.actor_user_id = :actor', { actor: filters.actorUserId });
  if (filters.action !== undefined) {
    if (filters.action.endsWith('.')) query.andWhere('starts_with(a.action, :action)', { action: filters.action });
    else query.andWhere('a.action = :action', { action: filters.action });
  }
  if (filters.targetId !== undefined) query.andWhere('a.target_id = :targetId', { targetId: filters.targetId });
  if (filters.from) query.andWhere('a.created_at >= :from', { from: filters.from });
  if (filters.before) query.andWhere('a.created_at < :before', { before: filters.before });
  return findPage(query, page);
}
