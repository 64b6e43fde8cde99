import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PurchaseEntity, PurchaseEventEntity } from '../../../db/entities';
import { findPage } from '../../../db/repositories/pagination';
import { CHARGED_STATUSES, purchaseQuery, type PurchaseFilters } from '../../../db/repositories/sales';
import { centsToMajor } from '../../../domain/money';
import type { RouteContext, ZodApp } from '../../app';
import { HttpError } from '../../errors';
import { SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, iso, isoOrNull, NOT_FOUND, toDateRange } from '../../schemas/admin/common';
import {
  PurchaseDetailResponse,
  PurchaseExportQuery,
  PurchaseListQuery,
  PurchasePageResponse,
  PurchaseParams,
  type PurchaseSummary,
  TransactionsQuery,
  TransactionsResponse,
} from '../../schemas/admin/sales';
import { ErrorResponse } from '../../schemas/common';
import { toCsv, type CsvColumn } from './csv';
import { findOwned, ownCompanyId } from './scope';

const TAGS = ['Cliente Admin - Ventas'];
/** An export past this many rows is refused: narrow the dates instead of building a huge file in memory. */
export const EXPORT_MAX_ROWS = 50_000;

export function toPurchaseSummary(p: PurchaseEntity): z.output<typeof PurchaseSummary> {
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

type Summary = z.output<typeof PurchaseSummary>;

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

/** The repository filters of a list or export request. */
function filtersOf(
  request: FastifyRequest,
  query: {
    desde?: string;
    hasta?: string;
    router_id?: string;
    producto_id?: number;
    estado?: PurchaseFilters['statuses'];
    pasarela?: PurchaseFilters['gateway'];
    cliente_email?: string;
  },
): PurchaseFilters {
  return {
    companyId: ownCompanyId(request),
    ...toDateRange(query),
    routerId: query.router_id,
    productId: query.producto_id,
    statuses: query.estado,
    gateway: query.pasarela,
    customerEmail: query.cliente_email,
  };
}

/** Company admin: sales — the original's transaction list, and purchases with filters, detail and CSV export. */
export function registerSalesRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');

  app.get(
    '/api/v1/admin/mi-empresa/transacciones',
    {
      onRequest,
      schema: {
        tags: ['Cliente Admin'],
        summary: "Charged purchases, newest first, in the original's shape (paginated)",
        security: SECURITY.admin,
        querystring: TransactionsQuery,
        response: { 200: TransactionsResponse, ...ADMIN_ERRORS },
      },
    },
    async (request) => {
      const companyId = ownCompanyId(request);
      const { limit, offset } = request.query;
      const { rows, total } = await findPage(purchaseQuery(ctx.dataSource.manager, { companyId, statuses: CHARGED_STATUSES }), {
        limit,
        offset,
      });
      return {
        empresa_id: companyId,
        total,
        limit,
        offset,
        transacciones: rows.map((p) => ({
          id: p.id,
          transaccion_id: p.gatewayReference,
          monto: centsToMajor(p.amountCents),
          estado_pago: p.gatewayStatus ?? p.status,
          cliente_nombre: p.customerName,
          creada_en: iso(p.createdAt),
        })),
      };
    },
  );

  app.get(
    '/api/v1/admin/purchases',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Purchases (every attempt), filtered by date range, router, product, status, gateway and customer email',
        security: SECURITY.admin,
        querystring: PurchaseListQuery,
        response: { 200: PurchasePageResponse, ...ADMIN_ERRORS },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const { rows, total } = await findPage(purchaseQuery(ctx.dataSource.manager, filtersOf(request, request.query)), { limit, offset });
      return { total, limit, offset, compras: rows.map(toPurchaseSummary) };
    },
  );

  app.get(
    '/api/v1/admin/purchases/export.csv',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: `The filtered purchase list as CSV (UTF-8; at most ${EXPORT_MAX_ROWS} rows)`,
        security: SECURITY.admin,
        querystring: PurchaseExportQuery,
        response: {
          200: { description: 'CSV with a header line', content: { 'text/csv': { schema: z.string() } } },
          ...ADMIN_ERRORS,
          400: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const filters = filtersOf(request, request.query);
      const query = purchaseQuery(ctx.dataSource.manager, filters);
      if ((await query.getCount()) > EXPORT_MAX_ROWS) {
        throw new HttpError(400, `Demasiadas compras para exportar (más de ${EXPORT_MAX_ROWS}). Acote el rango de fechas.`);
      }
      const rows = await query.getMany();
      const fileName = `compras-${filters.companyId}-${new Date().toISOString().slice(0, 10)}.csv`;
      // The byte-order mark makes Excel read the file as UTF-8 (names with accents).
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .send(`\uFEFF${toCsv(CSV_COLUMNS, rows.map(toPurchaseSummary))}`);
    },
  );

  app.get(
    '/api/v1/admin/purchases/:compra_id',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'One purchase with its history of events',
        security: SECURITY.admin,
        params: PurchaseParams,
        response: { 200: PurchaseDetailResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const purchase = await findOwned(
        ctx.dataSource.manager,
        PurchaseEntity,
        ownCompanyId(request),
        { id: request.params.compra_id },
        'Compra no encontrada',
      );
      const events = await ctx.dataSource
        .getRepository(PurchaseEventEntity)
        .find({ where: { purchaseId: purchase.id }, order: { id: 'ASC' } });
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
    },
  );
}
