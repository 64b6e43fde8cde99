import type { FastifyReply, FastifyRequest } from 'fastify';
import { runPurchaseAction, type PurchaseActionName, type PurchaseActionRequest as ActionRequest } from '../../admin/purchase-actions';
import type { RouteContext, ZodApp } from '../../context';
import { actorOf, ownCompanyId } from '../../plugins/auth';
import { adminSchema, NOT_FOUND } from '../../schemas/admin/common';
import { ExtendPurchaseRequest, PurchaseActionRequest, PurchaseActionResponse, PurchaseParams } from '../../schemas/admin/sales';
import { ErrorResponse } from '../../schemas/common';

const TAGS = ['Cliente Admin - Ventas'];

/**
 * Company admin: refund, revoke and extend a purchase, through its workflow. An action still in progress after the
 * wait answers 202 and goes on; another action on the purchase meanwhile gets 409.
 */
export function registerPurchaseActionRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');
  const response = {
    200: PurchaseActionResponse,
    202: PurchaseActionResponse.describe('Accepted and still in progress (the router or the gateway has not answered yet): it goes on'),
    ...NOT_FOUND,
    409: ErrorResponse.describe('The action does not apply to the purchase now, or another action on it is in progress'),
    502: ErrorResponse,
    503: ErrorResponse,
  };

  const act = async (request: FastifyRequest, reply: FastifyReply, purchaseId: string, name: PurchaseActionName, input: ActionRequest) => {
    const result = await runPurchaseAction(ctx, actorOf(request), ownCompanyId(request), purchaseId, name, input);
    const body = { message: result.message, compra_id: result.purchaseId, estado: result.status, expira_en: result.expiresAt };
    return reply.status(result.done ? 200 : 202).send(body);
  };

  app.post(
    '/api/v1/admin/purchases/:compra_id/refund',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Refund a paid purchase in full and remove its access (through the purchase workflow)',
        params: PurchaseParams,
        body: PurchaseActionRequest,
        response,
      }),
    },
    async (request, reply) => act(request, reply, request.params.compra_id, 'refund', { reason: request.body?.motivo }),
  );

  app.post(
    '/api/v1/admin/purchases/:compra_id/revoke',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Remove the access of a paid purchase from the router, without a refund',
        params: PurchaseParams,
        body: PurchaseActionRequest,
        response,
      }),
    },
    async (request, reply) => act(request, reply, request.params.compra_id, 'revoke', { reason: request.body?.motivo }),
  );

  app.post(
    '/api/v1/admin/purchases/:compra_id/extend',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Extend the access of an active purchase by `segundos` or `minutos`',
        params: PurchaseParams,
        body: ExtendPurchaseRequest,
        response,
      }),
    },
    async (request, reply) => act(request, reply, request.params.compra_id, 'extend', { reason: request.body.motivo, seconds: request.body.seconds }),
  );
}
