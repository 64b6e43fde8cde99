import { z } from 'zod';
import { voucherSheetHtml, voucherSheetPdf } from '../../admin/voucher-sheet';
import {
  batchCodes,
  batchCsv,
  batchDetail,
  batchPage,
  createBatch,
  extendVoucher,
  revokeBatch,
  revokeVoucher,
  voucherPage,
  type Revocation,
} from '../../admin/vouchers';
import type { RouteContext, ZodApp } from '../../context';
import { actorOf, ownCompanyId } from '../../plugins/auth';
import { adminSchema, NOT_FOUND } from '../../schemas/admin/common';
import { ExtendPurchaseRequest, PurchaseActionRequest, PurchaseActionResponse } from '../../schemas/admin/sales';
import {
  BatchListQuery,
  BatchPageResponse,
  BatchParams,
  BatchSummary,
  CreateBatchRequest,
  RevokeVouchersResponse,
  VoucherListQuery,
  VoucherPageResponse,
  VoucherParams,
} from '../../schemas/admin/vouchers';
import { ErrorResponse } from '../../schemas/common';

const TAGS = ['Cliente Admin - Fichas'];
const BATCH = '/api/v1/admin/vouchers/batches/:lote_id';

const revocationBody = (r: Revocation, message: string) => ({
  message,
  lote_id: r.batchId,
  fichas_revocadas: r.revokedVouchers,
  accesos_revocados: r.revokedAccesses,
  accesos_en_curso: r.inProgress,
});

/**
 * Company admin: voucher batches (create, list, one batch, its vouchers), the codes in full only in the batch's CSV and
 * printable sheet (PDF, HTML), and the life cycle: revoke a batch or a voucher, extend an active voucher.
 */
export function registerVoucherRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');

  app.post(
    '/api/v1/admin/vouchers/batches',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Create a batch of vouchers (1–5,000) for a product: its plan, one router or all, code format, price, redeem-by date',
        body: CreateBatchRequest,
        response: { 201: BatchSummary, ...NOT_FOUND },
      }),
    },
    async (request, reply) => reply.code(201).send(await createBatch(ctx, actorOf(request), ownCompanyId(request), request.body)),
  );

  app.get(
    '/api/v1/admin/vouchers/batches',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Voucher batches, newest first, with how many vouchers are unused, active, expired and revoked',
        querystring: BatchListQuery,
        response: { 200: BatchPageResponse },
      }),
    },
    async (request) => batchPage(ctx, ownCompanyId(request), request.query),
  );

  app.get(
    BATCH,
    {
      onRequest,
      schema: adminSchema(TAGS, { summary: 'One voucher batch with its status counts', params: BatchParams, response: { 200: BatchSummary, ...NOT_FOUND } }),
    },
    async (request) => batchDetail(ctx, ownCompanyId(request), request.params.lote_id),
  );

  app.get(
    `${BATCH}/vouchers`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'The vouchers of a batch with their status (never their codes), in serial order',
        params: BatchParams,
        querystring: VoucherListQuery,
        response: { 200: VoucherPageResponse, ...NOT_FOUND },
      }),
    },
    async (request) => voucherPage(ctx, ownCompanyId(request), request.params.lote_id, request.query),
  );

  app.get(
    `${BATCH}/export.csv`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'The codes of a batch in full, as CSV (UTF-8)',
        params: BatchParams,
        response: { 200: { description: 'CSV with a header line', content: { 'text/csv': { schema: z.string() } } }, ...NOT_FOUND },
      }),
    },
    async (request, reply) => {
      const { fileName, csv } = await batchCsv(ctx, ownCompanyId(request), request.params.lote_id);
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName}"`).send(csv);
    },
  );

  app.get(
    `${BATCH}/sheet.pdf`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'The printable sheet of a batch (A4, 15 cards a page, a QR code on each)',
        params: BatchParams,
        response: { 200: { description: 'PDF document', content: { 'application/pdf': { schema: z.string() } } }, ...NOT_FOUND },
      }),
    },
    async (request, reply) => {
      const sheet = await batchCodes(ctx, ownCompanyId(request), request.params.lote_id);
      const pdf = await voucherSheetPdf(ctx, sheet);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="fichas-lote-${sheet.batch.id}.pdf"`)
        .send(pdf as never);
    },
  );

  app.get(
    `${BATCH}/sheet.html`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'The printable sheet of a batch as an HTML page',
        params: BatchParams,
        response: { 200: { description: 'HTML page', content: { 'text/html': { schema: z.string() } } }, ...NOT_FOUND },
      }),
    },
    async (request, reply) => {
      const html = await voucherSheetHtml(await batchCodes(ctx, ownCompanyId(request), request.params.lote_id));
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );

  app.post(
    `${BATCH}/revoke`,
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Revoke a batch: none of its vouchers is redeemed any more, and the accesses they gave are removed from the routers',
        params: BatchParams,
        body: PurchaseActionRequest,
        response: { 200: RevokeVouchersResponse, ...NOT_FOUND, 409: ErrorResponse.describe('The batch is already revoked') },
      }),
    },
    async (request) => {
      const result = await revokeBatch(ctx, actorOf(request), ownCompanyId(request), request.params.lote_id, request.body?.motivo);
      return revocationBody(result, 'Lote revocado');
    },
  );

  app.post(
    '/api/v1/admin/vouchers/:ficha_id/revoke',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Revoke one voucher: it is not redeemed any more, and the access it gave is removed from the router',
        params: VoucherParams,
        body: PurchaseActionRequest,
        response: { 200: RevokeVouchersResponse, ...NOT_FOUND, 409: ErrorResponse.describe('The voucher is already revoked') },
      }),
    },
    async (request) => {
      const result = await revokeVoucher(ctx, actorOf(request), ownCompanyId(request), request.params.ficha_id, request.body?.motivo);
      return revocationBody(result, 'Ficha revocada');
    },
  );

  app.post(
    '/api/v1/admin/vouchers/:ficha_id/extend',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Extend the access of an active voucher by `segundos` or `minutos` (through its purchase workflow)',
        params: VoucherParams,
        body: ExtendPurchaseRequest,
        response: {
          200: PurchaseActionResponse,
          202: PurchaseActionResponse.describe('Accepted and still in progress (the router has not answered yet): it goes on'),
          ...NOT_FOUND,
          409: ErrorResponse.describe('The voucher has no active access, or another action on it is in progress'),
          503: ErrorResponse,
        },
      }),
    },
    async (request, reply) => {
      const { seconds, motivo } = request.body;
      const result = await extendVoucher(ctx, actorOf(request), ownCompanyId(request), request.params.ficha_id, { seconds, reason: motivo });
      const body = { message: result.message, compra_id: result.purchaseId, estado: result.status, expira_en: result.expiresAt };
      return reply.status(result.done ? 200 : 202).send(body);
    },
  );
}
