import { z } from 'zod';
import { EXPORT_MAX_ROWS, purchaseDetail, purchasePage, purchasesCsv, transactions } from '../../admin/sales';
import type { RouteContext, ZodApp } from '../../context';
import { ownCompanyId } from '../../plugins/auth';
import { adminSchema, NOT_FOUND } from '../../schemas/admin/common';
import {
  PurchaseDetailResponse,
  PurchaseExportQuery,
  PurchaseListQuery,
  PurchasePageResponse,
  PurchaseParams,
  TransactionsQuery,
  TransactionsResponse,
} from '../../schemas/admin/sales';
import { ErrorResponse } from '../../schemas/common';

const TAGS = ['Cliente Admin - Ventas'];

/** Company admin: sales — the transaction list, and purchases with filters, detail and CSV export. */
export function registerSalesRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');

  app.get(
    '/api/v1/admin/mi-empresa/transacciones',
    {
      onRequest,
      schema: adminSchema(['Cliente Admin'], {
        summary: "Charged purchases, newest first, in the original's shape (paginated)",
        querystring: TransactionsQuery,
        response: { 200: TransactionsResponse },
      }),
    },
    async (request) => transactions(ctx, ownCompanyId(request), { limit: request.query.limit, offset: request.query.offset }),
  );

  app.get(
    '/api/v1/admin/purchases',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Purchases (every attempt), filtered by date range, router, product, status, gateway and customer email',
        querystring: PurchaseListQuery,
        response: { 200: PurchasePageResponse },
      }),
    },
    async (request) => purchasePage(ctx, ownCompanyId(request), request.query),
  );

  app.get(
    '/api/v1/admin/purchases/export.csv',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: `The filtered purchase list as CSV (UTF-8; at most ${EXPORT_MAX_ROWS} rows)`,
        querystring: PurchaseExportQuery,
        response: {
          200: { description: 'CSV with a header line', content: { 'text/csv': { schema: z.string() } } },
          400: ErrorResponse,
        },
      }),
    },
    async (request, reply) => {
      const { fileName, csv } = await purchasesCsv(ctx, ownCompanyId(request), request.query);
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName}"`).send(csv);
    },
  );

  app.get(
    '/api/v1/admin/purchases/:compra_id',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'One purchase with its history of events',
        params: PurchaseParams,
        response: { 200: PurchaseDetailResponse, ...NOT_FOUND },
      }),
    },
    async (request) => purchaseDetail(ctx, ownCompanyId(request), request.params.compra_id),
  );
}
