import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import type { Currency } from '../../domain/money';
import { isTerminal, PURCHASE_STATUSES, type PurchaseGateway, type PurchaseStatus } from '../../domain/purchase';
import { PurchaseEntity } from '../entities';

/** Purchases whose money the company keeps (less any partial refund): what revenue sums. */
export const REVENUE_STATUSES: readonly PurchaseStatus[] = ['paid', 'active', 'expired', 'revoked'];
/** Purchases whose charge was approved at some point, refunded ones included: the original's "transacciones". */
export const CHARGED_STATUSES: readonly PurchaseStatus[] = [...REVENUE_STATUSES, 'refunded'];
/** Purchases not finished yet: in course, or paid with access that a router must still hold or remove. */
export const OPEN_STATUSES: readonly PurchaseStatus[] = PURCHASE_STATUSES.filter((s) => !isTerminal(s));
/** Purchases still waiting for the gateway or the router. */
export const IN_FLIGHT_STATUSES: readonly PurchaseStatus[] = ['created', 'charging', 'pending'];

export interface PurchaseScope {
  /** Omitted only for platform-wide figures (super admin). */
  companyId?: string;
  from?: Date;
  before?: Date;
}

export interface PurchaseFilters extends PurchaseScope {
  companyId: string;
  routerId?: string;
  productId?: number;
  statuses?: readonly PurchaseStatus[];
  gateway?: PurchaseGateway;
  /** Exact address, case-insensitive (served by purchases_customer_email_idx). */
  customerEmail?: string;
}

/** One company's purchases matching the filters, newest first (the list, the CSV export and the dashboard share it). */
export function purchaseQuery(manager: EntityManager, filters: PurchaseFilters): SelectQueryBuilder<PurchaseEntity> {
  const query = manager
    .getRepository(PurchaseEntity)
    .createQueryBuilder('p')
    .where('p.company_id = :companyId', { companyId: filters.companyId })
    .orderBy('p.created_at', 'DESC')
    .addOrderBy('p.id', 'DESC');
  if (filters.from) query.andWhere('p.created_at >= :from', { from: filters.from });
  if (filters.before) query.andWhere('p.created_at < :before', { before: filters.before });
  if (filters.routerId !== undefined) query.andWhere('p.router_id = :routerId', { routerId: filters.routerId });
  if (filters.productId !== undefined) query.andWhere('p.product_id = :productId', { productId: filters.productId });
  if (filters.statuses?.length) query.andWhere('p.status IN (:...statuses)', { statuses: filters.statuses });
  if (filters.gateway !== undefined) query.andWhere('p.gateway = :gateway', { gateway: filters.gateway });
  if (filters.customerEmail !== undefined) {
    query.andWhere('lower(p.customer_email) = :email', { email: filters.customerEmail.trim().toLowerCase() });
  }
  return query;
}

export type SalesDimension = 'currency' | 'day' | 'router' | 'product' | 'gateway';

/** Purchases of one group (a day, a router…) in one currency. */
export interface SalesRow {
  /** The group: the currency, `YYYY-MM-DD` (UTC), the router id, the product id or the gateway; null for a deleted router/product. */
  key: string | null;
  /** The router's or product's name as sold (snapshotted on the purchase). */
  label: string | null;
  currency: Currency;
  purchases: number;
  /** Purchases whose charge was approved (CHARGED_STATUSES). */
  approved: number;
  /** Amount kept: REVENUE_STATUSES, less refunded cents. */
  revenueCents: number;
}

const GROUPS: Record<SalesDimension, { key: string; label: string }> = {
  currency: { key: 'currency', label: 'NULL' },
  day: { key: `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`, label: 'NULL' },
  router: { key: 'router_id', label: 'max(router_name)' },
  product: { key: 'product_id::text', label: 'max(product_name)' },
  gateway: { key: 'gateway', label: 'NULL' },
};

function scopeSql(scope: PurchaseScope, params: unknown[]): string {
  const clauses: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (scope.companyId !== undefined) add('company_id = ?', scope.companyId);
  if (scope.from) add('created_at >= ?', scope.from);
  if (scope.before) add('created_at < ?', scope.before);
  return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
}

/** Counts and revenue per group and currency, in one pass over the purchases in scope. */
export async function salesBy(manager: EntityManager, dimension: SalesDimension, scope: PurchaseScope): Promise<SalesRow[]> {
  const params: unknown[] = [[...CHARGED_STATUSES], [...REVENUE_STATUSES]];
  const where = scopeSql(scope, params);
  const group = GROUPS[dimension];
  const rows: {
    key: string | null;
    label: string | null;
    currency: Currency;
    purchases: number;
    approved: number;
    revenue_cents: string;
  }[] = await manager.query(
    `SELECT ${group.key} AS key, ${group.label} AS label, currency,
              count(*)::int AS purchases,
              (count(*) FILTER (WHERE status = ANY($1)))::int AS approved,
              COALESCE(sum(amount_cents - refunded_cents) FILTER (WHERE status = ANY($2)), 0)::bigint AS revenue_cents
         FROM purchases ${where}
        GROUP BY 1, currency
        ORDER BY 1, currency`,
    params,
  );
  return rows.map((r) => ({
    key: r.key,
    label: r.label,
    currency: r.currency,
    purchases: r.purchases,
    approved: r.approved,
    revenueCents: Number(r.revenue_cents),
  }));
}

/** How many purchases in scope are in each status (statuses with none are absent). */
export async function countByStatus(manager: EntityManager, scope: PurchaseScope): Promise<Partial<Record<PurchaseStatus, number>>> {
  const params: unknown[] = [];
  const rows: { status: PurchaseStatus; count: number }[] = await manager.query(
    `SELECT status, count(*)::int AS count FROM purchases ${scopeSql(scope, params)} GROUP BY status`,
    params,
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.count]));
}
