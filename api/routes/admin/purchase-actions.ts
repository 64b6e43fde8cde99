import type { FastifyRequest } from 'fastify';
import { PurchaseEntity } from '../../../db/entities';
import { recordAudit, type AuditAction } from '../../../db/repositories/audit';
import { canTransition, type PurchaseStatus } from '../../../domain/purchase';
import type { RouteContext, ZodApp } from '../../app';
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
  run: (workflowId: string, actor: { userId: number; email: string }) => Promise<ActionOutcome>;
}

/**
 * Company admin: refund, revoke and extend a purchase. The API only asks the purchase's workflow (a Temporal update),
 * which refunds at the gateway and removes or extends access on the router together; the audit log records every
 * attempt with its outcome.
 */
export function registerPurchaseActionRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');
  const errors = { ...ADMIN_ERRORS, ...NOT_FOUND, 409: ErrorResponse, 502: ErrorResponse, 503: ErrorResponse };

  /** Finds the own purchase, checks the action applies to its status, runs it, and audits the attempt. */
  const act = async (request: FastifyRequest, purchaseId: string, { audit: action, allowed, refusal, detail, run }: Action) => {
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
    try {
      const outcome = await run(purchase.workflowId, { userId: actor.id, email: actor.email });
      await audit({ amount_cents: purchase.amountCents, currency: purchase.currency, result: outcome.status });
      return outcome;
    } catch (error) {
      await audit({ result: 'error', error: (error as { code?: string }).code ?? 'INTERNAL' });
      throw error;
    }
  };

  const respond = (message: string, id: string, outcome: ActionOutcome) => ({
    message,
    compra_id: id,
    estado: outcome.status,
    expira_en: outcome.expiresAt ?? null,
  });

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
    async (request) => {
      const id = request.params.compra_id;
      const reason = request.body?.motivo;
      const outcome = await act(request, id, {
        audit: 'purchase.refund',
        allowed: (status) => canTransition(status, 'refunded'),
        refusal: (status) => `La compra no se puede reembolsar en estado '${status}'`,
        detail: { reason },
        run: (workflowId, actor) => ctx.workflows.refundPurchase(workflowId, { actor, reason }),
      });
      return respond('Compra reembolsada', id, outcome);
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
    async (request) => {
      const id = request.params.compra_id;
      const reason = request.body?.motivo;
      const outcome = await act(request, id, {
        audit: 'purchase.revoke',
        allowed: (status) => canTransition(status, 'revoked'),
        refusal: (status) => `No se puede revocar el acceso de una compra en estado '${status}'`,
        detail: { reason },
        run: (workflowId, actor) => ctx.workflows.revokePurchase(workflowId, { actor, reason }),
      });
      return respond('Acceso revocado', id, outcome);
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
    async (request) => {
      const id = request.params.compra_id;
      const { seconds, motivo: reason } = request.body;
      const outcome = await act(request, id, {
        audit: 'purchase.extend',
        allowed: (status) => status === 'active',
        refusal: (status) => `Solo se puede extender una compra activa (estado '${status}')`,
        detail: { reason, seconds },
        run: (workflowId, actor) => ctx.workflows.extendPurchase(workflowId, { actor, reason, seconds }),
      });
      return respond('Acceso extendido', id, outcome);
    },
  );
}
