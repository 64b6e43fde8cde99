import type { z } from 'zod';
import { centsToMajor } from '../../domain/money';
import type { PurchaseStatus } from '../../domain/purchase';
import { AdminUserEntity, CompanyEntity, RouterEntity } from '../../db/entities';
import { findCompany } from '../../db/repositories/companies';
import { CHARGED_STATUSES, countByStatus, IN_FLIGHT_STATUSES, purchaseQuery, salesBy, type SalesRow } from '../../db/repositories/sales';
import type { AppDeps } from '../context';
import { iso, isoOrNull, toDateRange } from '../schemas/admin/common';
import type { CompanyDashboardResponse, GlobalDashboardResponse } from '../schemas/admin/dashboard';

/** Dashboards: the platform's (super admin) and one company's (company admin), both with revenue per currency. */

type DashboardDeps = Pick<AppDeps, 'dataSource'>;
type DateRange = { desde?: string; hasta?: string };

/** A company dashboard without dates covers this many days up to now. */
const DEFAULT_PERIOD_DAYS = 30;

/** `{"MXN": 1520.5, "USD": 12}` from per-currency rows. */
export function revenueByCurrency(rows: SalesRow[]): Record<string, number> {
  const cents = new Map<string, number>();
  for (const row of rows) cents.set(row.currency, (cents.get(row.currency) ?? 0) + row.revenueCents);
  return Object.fromEntries([...cents].map(([currency, value]) => [currency, centsToMajor(value)]));
}

/** Purchases counted in any of `statuses`. */
export function countIn(counts: Partial<Record<PurchaseStatus, number>>, statuses: readonly PurchaseStatus[]): number {
  return statuses.reduce((n, s) => n + (counts[s] ?? 0), 0);
}

/** Every purchase counted. */
export function countAll(counts: Partial<Record<PurchaseStatus, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Folds per-(group, currency) rows into one entry per group with revenue per currency. */
function byGroup(rows: SalesRow[]) {
  const groups = new Map<string | null, { key: string | null; label: string | null; rows: SalesRow[] }>();
  for (const row of rows) {
    const group = groups.get(row.key) ?? { key: row.key, label: row.label, rows: [] };
    group.rows.push(row);
    groups.set(row.key, group);
  }
  return [...groups.values()].map((g) => ({
    key: g.key,
    label: g.label,
    compras: g.rows.reduce((n, r) => n + r.purchases, 0),
    compras_pagadas: g.rows.reduce((n, r) => n + r.approved, 0),
    ingresos: revenueByCurrency(g.rows),
  }));
}

/** Platform counts, and purchases and revenue within the dates given (all time without them). */
export async function platformDashboard(deps: DashboardDeps, dates: DateRange): Promise<z.output<typeof GlobalDashboardResponse>> {
  const range = toDateRange(dates);
  const m = deps.dataSource.manager;
  const [companies, activeCompanies, users, routers, activeRouters, statuses, revenue] = await Promise.all([
    m.count(CompanyEntity),
    m.countBy(CompanyEntity, { active: true }),
    m.count(AdminUserEntity),
    m.count(RouterEntity),
    m.countBy(RouterEntity, { active: true }),
    countByStatus(m, range),
    salesBy(m, 'currency', range),
  ]);
  return {
    estadisticas: {
      total_empresas: companies,
      empresas_activas: activeCompanies,
      total_usuarios: users,
      total_routers: routers,
      routers_activos: activeRouters,
      total_compras: countAll(statuses),
      compras_pagadas: countIn(statuses, CHARGED_STATUSES),
    },
    periodo: { desde: isoOrNull(range.from), hasta: isoOrNull(range.before) },
    ingresos_por_moneda: revenueByCurrency(revenue),
    timestamp: new Date().toISOString(),
  };
}

/**
 * One company's all-time totals and latest purchases, then the period's revenue and counts per day, router and
 * product, and its approval rate.
 */
export async function companyDashboard(deps: DashboardDeps, companyId: string, dates: DateRange): Promise<z.output<typeof CompanyDashboardResponse>> {
  const m = deps.dataSource.manager;
  const range = toDateRange(dates);
  const before = range.before ?? new Date();
  const from = range.from ?? new Date(before.getTime() - DEFAULT_PERIOD_DAYS * 86_400_000);
  const period = { companyId, from, before };
  const [company, routers, allTime, revenueAllTime, recent, statuses, byCurrency, byDay, byRouter, byProduct, byGateway] = await Promise.all([
    findCompany(m, companyId),
    m.countBy(RouterEntity, { companyId }),
    countByStatus(m, { companyId }),
    salesBy(m, 'currency', { companyId }),
    purchaseQuery(m, { companyId }).take(5).getMany(),
    countByStatus(m, period),
    salesBy(m, 'currency', period),
    salesBy(m, 'day', period),
    salesBy(m, 'router', period),
    salesBy(m, 'product', period),
    salesBy(m, 'gateway', period),
  ]);
  const approved = countIn(statuses, CHARGED_STATUSES);
  const declined = statuses.declined ?? 0;
  return {
    empresa: { nombre: company.name, activa: company.active },
    estadisticas: {
      total_transacciones: countAll(allTime),
      ingresos_totales: centsToMajor(revenueAllTime.reduce((n, r) => n + r.revenueCents, 0)),
      transacciones_pagadas: countIn(allTime, CHARGED_STATUSES),
      transacciones_pendientes: countIn(allTime, IN_FLIGHT_STATUSES),
      total_routers: routers,
    },
    transacciones_recientes: recent.map((p) => ({
      id: p.id,
      transaccion_id: p.gatewayReference,
      monto: centsToMajor(p.amountCents),
      estado: p.status,
      fecha: iso(p.createdAt),
    })),
    periodo: { desde: iso(from), hasta: iso(before) },
    ingresos_por_moneda: revenueByCurrency(byCurrency),
    por_dia: byGroup(byDay).map(({ key, label: _label, ...totals }) => ({ fecha: key ?? '', ...totals })),
    por_router: byGroup(byRouter).map(({ key, label, ...totals }) => ({ router_id: key, router_nombre: label, ...totals })),
    por_producto: byGroup(byProduct).map(({ key, label, ...totals }) => ({
      producto_id: key === null ? null : Number(key),
      producto_nombre: label,
      ...totals,
    })),
    por_pasarela: byGroup(byGateway).map(({ key, label: _label, ...totals }) => ({ pasarela: key ?? '', ...totals })),
    efectivo_vs_tarjeta: {
      efectivo: revenueByCurrency(byGateway.filter((r) => r.key === 'voucher')),
      tarjeta: revenueByCurrency(byGateway.filter((r) => r.key !== 'voucher')),
    },
    tasa_aprobacion: {
      aprobadas: approved,
      rechazadas: declined,
      fallidas: statuses.failed ?? 0,
      canceladas: statuses.cancelled ?? 0,
      en_curso: countIn(statuses, IN_FLIGHT_STATUSES),
      tasa: approved + declined > 0 ? Math.round((approved / (approved + declined)) * 10_000) / 10_000 : null,
    },
  };
}
