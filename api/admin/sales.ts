import type { z } from 'zod';
import { PurchaseEntity, PurchaseEventEntity } from '../../db/entities';
import { findOwned } from '../../db/repositories/owned';
import { findPage } from '../../db/repositories/pagination';
import { CHARGED_STATUSES, moneyOf, purchaseQuery, type PurchaseFilters } from '../../db/repositories/sales';
import { DomainError } from '../../domain/errors';
import { centsToMajor } from '../../domain/money';
import type { AppDeps } from '../context';
import { iso, isoOrNull, toDateRange } from '../schemas/admin/common';
import type { PurchaseDetailResponse, PurchasePageResponse, PurchaseSummary, TransactionsResponse } from '../schemas/admin/sales';
import { toCsv, type CsvColumn } from './csv';
import { moneyByCurrency } from './dashboard';

/** Sales of a company admin: the charged transactions, every purchase with filters, its detail, and a CSV export. */

type SalesDeps = Pick<AppDeps, 'dataSource'>;
type Summary = z.output<typeof PurchaseSummary>;

/** An export past this many rows is refused: narrow the dates instead of building a huge file in memory. */
export const EXPORT_MAX_ROWS = 50_000;

/** The filters of a purchase list or export, as the query string gives them. */
export interface SalesQuery {
  desde?: string;
  hasta?: string;
  router_id?: string;
  producto_id?: number;
  estado?: PurchaseFilters['statuses'];
  pasarela?: PurchaseFilters['gateway'];
  cliente_email?: string;
}

export function toPurchaseSummary(p: PurchaseEntity): Summary {
  return {
    id: p.id,
    transaccion_id: p.gatewayReference,
    router_id: p.routerId,
    router_nombre: p.routerName,
    producto_id: p.productId,
    producto_nombre: p.productName,
    perfil: p.profileName,
    pasarela: p.gateway,
    monto: centsToMajor(p.amountCents),
    reembolsado: centsToMajor(p.refundedCents),
    moneda: p.currency,
    estado: p.status,
    estado_pago: p.gatewayStatus,
    motivo_estado: p.statusReason,
    cliente_nombre: p.customerName,
    cliente_email: p.customerEmail,
    cliente_telefono: p.customerPhone,
    tipo_usuario: p.userType,
    usuario_hotspot: p.hotspotUsername,
    mac_cliente: p.clientMac,
    ip_cliente: p.clientIp,
    vigencia_segundos: p.validitySeconds,
    creada_en: iso(p.createdAt),
    pagada_en: isoOrNull(p.paidAt),
    activada_en: isoOrNull(p.activatedAt),
    expira_en: isoOrNull(p.expiresAt),
    finalizada_en: isoOrNull(p.endedAt),
  };
}

/** Export columns: the list's fields, free text marked so it cannot become a spreadsheet formula. */
const CSV_COLUMNS: CsvColumn<Summary>[] = [
  { header: 'id', value: (p) => p.id },
  { header: 'creada_en', value: (p) => p.creada_en },
  { header: 'estado', value: (p) => p.estado },
  { header: 'pasarela', value: (p) => p.pasarela },
  { header: 'transaccion_id', value: (p) => p.transaccion_id, untrusted: true },
  { header: 'monto', value: (p) => p.monto.toFixed(2) },
  { header: 'reembolsado', value: (p) => p.reembolsado.toFixed(2) },
  { header: 'moneda', value: (p) => p.moneda },
  { header: 'router_id', value: (p) => p.router_id },
  { header: 'router_nombre', value: (p) => p.router_nombre, untrusted: true },
  { header: 'producto_id', value: (p) => p.producto_id },
  { header: 'producto_nombre', value: (p) => p.producto_nombre, untrusted: true },
  { header: 'cliente_nombre', value: (p) => p.cliente_nombre, untrusted: true },
  { header: 'cliente_email', value: (p) => p.cliente_email, untrusted: true },
  { header: 'cliente_telefono', value: (p) => p.cliente_telefono, untrusted: true },
  { header: 'usuario_hotspot', value: (p) => p.usuario_hotspot, untrusted: true },
  { header: 'pagada_en', value: (p) => p.pagada_en },
  { header: 'expira_en', value: (p) => p.expira_en },
];

function filtersOf(companyId: string, query: SalesQuery): PurchaseFilters {
  return {
    companyId,
    ...toDateRange(query),
    routerId: query.router_id,
    productId: query.producto_id,
    statuses: query.estado,
    gateway: query.pasarela,
    customerEmail: query.cliente_email,
  };
}

/** Charged purchases, newest first, in the shape of the transaction list panels written for the previous service read. */
export async function transactions(deps: SalesDeps, companyId: string, page: { limit: number; offset: number }): Promise<z.output<typeof TransactionsResponse>> {
  const { rows, total } = await findPage(purchaseQuery(deps.dataSource.manager, { companyId, statuses: CHARGED_STATUSES }), page);
  return {
    empresa_id: companyId,
    total,
    ...page,
    transacciones: rows.map((p) => ({
      id: p.id,
      transaccion_id: p.gatewayReference,
      monto: centsToMajor(p.amountCents),
      estado_pago: p.gatewayStatus ?? p.status,
      cliente_nombre: p.customerName,
      creada_en: iso(p.createdAt),
    })),
  };
}

/** Every purchase attempt matching the filters, newest first. */
export async function purchasePage(
  deps: SalesDeps,
  companyId: string,
  query: SalesQuery & { limit: number; offset: number },
): Promise<z.output<typeof PurchasePageResponse>> {
  const { limit, offset } = query;
  const purchases = purchaseQuery(deps.dataSource.manager, filtersOf(companyId, query));
  const [{ rows, total }, money] = await Promise.all([findPage(purchases, { limit, offset }), moneyOf(purchases)]);
  return { total, limit, offset, dinero_por_moneda: moneyByCurrency(money), compras: rows.map(toPurchaseSummary) };
}

/** The filtered purchases as CSV (with the byte-order mark that makes Excel read UTF-8), or BAD_REQUEST past EXPORT_MAX_ROWS. */
export async function purchasesCsv(deps: SalesDeps, companyId: string, query: SalesQuery): Promise<{ fileName: string; csv: string }> {
  const rows = purchaseQuery(deps.dataSource.manager, filtersOf(companyId, query));
  if ((await rows.getCount()) > EXPORT_MAX_ROWS) {
    throw new DomainError('BAD_REQUEST', `Demasiadas compras para exportar (más de ${EXPORT_MAX_ROWS}). Acote el rango de fechas.`);
  }
  const fileName = `compras-${companyId}-${new Date().toISOString().slice(0, 10)}.csv`;
  return { fileName, csv: `\uFEFF${toCsv(CSV_COLUMNS, (await rows.getMany()).map(toPurchaseSummary))}` };
}

/** One own purchase with its history of events. */
export async function purchaseDetail(deps: SalesDeps, companyId: string, purchaseId: string): Promise<z.output<typeof PurchaseDetailResponse>> {
  const purchase = await findOwned(deps.dataSource.manager, PurchaseEntity, companyId, { id: purchaseId }, 'Compra no encontrada');
  const events = await deps.dataSource.getRepository(PurchaseEventEntity).find({ where: { purchaseId: purchase.id }, order: { id: 'ASC' } });
  return {
    ...toPurchaseSummary(purchase),
    mensaje_cliente: purchase.customerMessage,
    conexion_automatica: purchase.autoConnect,
    eventos: events.map((e) => ({
      id: Number(e.id),
      tipo: e.type,
      estado_anterior: e.fromStatus,
      estado_nuevo: e.toStatus,
      origen: e.source,
      detalle: e.detail,
      creado_en: iso(e.createdAt),
    })),
  };
}
