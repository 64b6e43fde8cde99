import type { FastifyReply, FastifyRequest } from 'fastify';
import { PurchaseEntity } from '../../../db/entities';
import { recordAudit, type AuditAction } from '../../../db/repositories/audit';
import { canTransition, type PurchaseStatus } from '../../../domain/purchase';
import type { RouteContext, ZodApp } from '../../app';
import type { AdminActionResult } from '../../temporal/workflows';
import { HttpError } from '../../errors';
import { SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, NOT_FOUND } from '../../schemas/admin/common';
import { ExtendPurchaseRequest, PurchaseActionRequest, PurchaseActionResponse, PurchaseParams } from '../../schemas/admin/sales';
import { ErrorResponse } from '../../schemas/common';
import { actorOf, findOwned, ownCompanyId } from './scope';

const TAGS = ['Cliente Admin - Ventas'];

interface ActionOutcome {
  status: PurchaseStatus;
  expiresAt?: string;
}

interface Action {
  audit: AuditAction;
  /** Whether the action applies to a purchase in this status (checked before bothering the workflow). */
  allowed: (status: PurchaseStatus) => boolean;
  refusal: (status: PurchaseStatus) => string;
  /** What the audit entry records besides the outcome. */
  detail: Record<string, unknown>;
  /** Asks the workflow, waiting up to `waitMs` for it to carry the action out. */
  run: (workflowId: string, actor: { userId: number; email: string }, waitMs: number) => Promise<AdminActionResult<ActionOutcome>>;
  /** The message of a finished action. */
  message: string;
}

/**
 * Company admin: refund, revoke and extend a purchase. The API only asks the purchase's workflow (a Temporal update),
 * which refunds at the gateway and removes or extends access on the router together; the audit log records every
 * attempt with its outcome. An action the workflow accepted but has not finished within the wait (a router that is
 * down is retried until it returns) answers 202 and goes on; another action on the purchase meanwhile gets 409.
 */
export function registerPurchaseActionRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');
  const waitMs = ctx.config.PURCHASE_RESPONSE_WAIT_SECONDS * 1000;
  const errors = {
    202: PurchaseActionResponse.describe('Accepted and still in progress (the router or the gateway has not answered yet): it goes on'),
    ...ADMIN_ERRORS,
    ...NOT_FOUND,
    409: ErrorResponse.describe('The action does not apply to the purchase now, or another action on it is in progress'),
    502: ErrorResponse,
    503: ErrorResponse,
  };

  /** Finds the own purchase, checks the action applies to its status, runs it, audits the attempt and answers. */
  const act = async (request: FastifyRequest, reply: FastifyReply, purchaseId: string, { audit: action, allowed, refusal, detail, run, message }: Action) => {
    const companyId = ownCompanyId(request);
    const purchase = await findOwned(ctx.dataSource.manager, PurchaseEntity, companyId, { id: purchaseId }, 'Compra no encontrada');
    if (!allowed(purchase.status)) throw new HttpError(409, refusal(purchase.status));
    const actor = actorOf(request);
    const audit = (outcome: Record<string, unknown>) =>
      recordAudit(ctx.dataSource.manager, {
        actor,
        companyId,
        action,
        targetType: 'purchase',
        targetId: purchase.id,
        detail: { ...detail, ...outcome },
      });
    let outcome: AdminActionResult<ActionOutcome>;
    try {
      outcome = await run(purchase.workflowId, { userId: actor.id, email: actor.email }, waitMs);
    } catch (error) {
      await audit({ result: 'error', error: (error as { code?: string }).code ?? 'INTERNAL' });
      throw error;
    }
    if (outcome === 'in_progress') {
      await audit({ amount_cents: purchase.amountCents, currency: purchase.currency, result: 'in_progress' });
      return reply.status(202).send({
        message: 'La acción sigue en curso: el router o la pasarela aún no responden. Se completará en cuanto respondan.',
        compra_id: purchase.id,
        estado: purchase.status,
        expira_en: null,
      });
    }
    await audit({ amount_cents: purchase.amountCents, currency: purchase.currency, result: outcome.status });
    return reply.send({ message, compra_id: purchase.id, estado: outcome.status, expira_en: outcome.expiresAt ?? null });
  };

  app.post(
    '/api/v1/admin/purchases/:compra_id/refund',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Refund a paid purchase in full and remove its access (through the purchase workflow)',
        security: SECURITY.admin,
        params: PurchaseParams,
        body: PurchaseActionRequest,
        response: { 200: PurchaseActionResponse, ...errors },
      },
    },
    async (request, reply) => {
      const reason = request.body?.motivo;
      return act(request, reply, request.params.compra_id, {
        audit: 'purchase.refund',
        allowed: (status) => canTransition(status, 'refunded'),
        refusal: (status) => `La compra no se puede reembolsar en estado '${status}'`,
        detail: { reason },
        run: (workflowId, actor, wait) => ctx.workflows.refundPurchase(workflowId, { actor, reason }, wait),
        message: 'Compra reembolsada',
      });
    },
  );

  app.post(
    '/api/v1/admin/purchases/:compra_id/revoke',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Remove the access of a paid purchase from the router, without a refund',
        security: SECURITY.admin,
        params: PurchaseParams,
        body: PurchaseActionRequest,
        response: { 200: PurchaseActionResponse, ...errors },
      },
    },
    async (request, reply) => {
      const reason = request.body?.motivo;
      return act(request, reply, request.params.compra_id, {
        audit: 'purchase.revoke',
        allowed: (status) => canTransition(status, 'revoked'),
        refusal: (status) => `No se puede revocar el acceso de una compra en estado '${status}'`,
        detail: { reason },
        run: (workflowId, actor, wait) => ctx.workflows.revokePurchase(workflowId, { actor, reason }, wait),
        message: 'Acceso revocado',
      });
    },
  );

  app.post(
    '/api/v1/admin/purchases/:compra_id/extend',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Extend the access of an active purchase by `segundos` or `minutos`',
        security: SECURITY.admin,
        params: PurchaseParams,
        body: ExtendPurchaseRequest,
        response: { 200: PurchaseActionResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { seconds, motivo: reason } = request.body;
      return act(request, reply, request.params.compra_id, {
        audit: 'purchase.extend',
        allowed: (status) => status === 'active',
        refusal: (status) => `Solo se puede extender una compra activa (estado '${status}')`,
        detail: { reason, seconds },
        run: (workflowId, actor, wait) => ctx.workflows.extendPurchase(workflowId, { actor, reason, seconds }, wait),
        message: 'Acceso extendido',
      });
    },
  );
}
