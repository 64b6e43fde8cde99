import { PurchaseEntity } from '../../db/entities';
import { recordAudit, type AuditAction, type AuditActor } from '../../db/repositories/audit';
import { findOwned } from '../../db/repositories/owned';
import { DomainError } from '../../domain/errors';
import { canTransition, type PurchaseStatus } from '../../domain/purchase';
import type { AdminActionInput } from '../../domain/temporal';
import type { AppDeps } from '../context';
import type { AdminActionResult, Workflows } from '../temporal/workflows';

/**
 * Refund, revoke and extend a purchase. The API only asks the purchase's workflow (a Temporal update), which refunds
 * at the gateway and removes or extends access on the router together; the audit log records every attempt with its
 * outcome. An action the workflow accepted but has not finished within the wait (a router that is down is retried
 * until it returns) is reported in progress and goes on; another action on the purchase meanwhile is refused.
 */

export type PurchaseActionName = 'refund' | 'revoke' | 'extend';

/** What the admin asked: why, and for an extension how long. */
export interface PurchaseActionRequest {
  reason?: string;
  seconds?: number;
}

interface ActionOutcome {
  status: PurchaseStatus;
  expiresAt?: string;
}

interface Action {
  audit: AuditAction;
  /** Whether the action applies to a purchase in this status (checked before bothering the workflow). */
  allowed: (status: PurchaseStatus) => boolean;
  refusal: (status: PurchaseStatus) => string;
  /** Asks the workflow, waiting up to `waitMs` for it to carry the action out. */
  run: (workflows: Workflows, workflowId: string, input: AdminActionInput, seconds: number, waitMs: number) => Promise<AdminActionResult<ActionOutcome>>;
  /** The message of a finished action. */
  message: string;
}

const ACTIONS: Record<PurchaseActionName, Action> = {
  refund: {
    audit: 'purchase.refund',
    allowed: (status) => canTransition(status, 'refunded'),
    refusal: (status) => `La compra no se puede reembolsar en estado '${status}'`,
    run: (workflows, workflowId, input, _seconds, waitMs) => workflows.refundPurchase(workflowId, input, waitMs),
    message: 'Compra reembolsada',
  },
  revoke: {
    audit: 'purchase.revoke',
    allowed: (status) => canTransition(status, 'revoked'),
    refusal: (status) => `No se puede revocar el acceso de una compra en estado '${status}'`,
    run: (workflows, workflowId, input, _seconds, waitMs) => workflows.revokePurchase(workflowId, input, waitMs),
    message: 'Acceso revocado',
  },
  extend: {
    audit: 'purchase.extend',
    allowed: (status) => status === 'active',
    refusal: (status) => `Solo se puede extender una compra activa (estado '${status}')`,
    run: (workflows, workflowId, input, seconds, waitMs) => workflows.extendPurchase(workflowId, { ...input, seconds }, waitMs),
    message: 'Acceso extendido',
  },
};

/** Where the action got to: finished with the purchase's new state, or still in progress. */
export type PurchaseActionResult =
  | { done: true; message: string; purchaseId: string; status: PurchaseStatus; expiresAt: string | null }
  | { done: false; message: string; purchaseId: string; status: PurchaseStatus; expiresAt: null };

const IN_PROGRESS = 'La acción sigue en curso: el router o la pasarela aún no responden. Se completará en cuanto respondan.';

/**
 * Finds the own purchase, checks the action applies to its status, runs it, audits the attempt and reports; past
 * `waitSeconds` it answers that the action is still in progress.
 */
export async function runPurchaseAction(
  deps: Pick<AppDeps, 'dataSource' | 'workflows' | 'config'>,
  actor: AuditActor,
  companyId: string,
  purchaseId: string,
  name: PurchaseActionName,
  request: PurchaseActionRequest,
  waitSeconds = deps.config.PURCHASE_RESPONSE_WAIT_SECONDS,
): Promise<PurchaseActionResult> {
  const action = ACTIONS[name];
  const purchase = await findOwned(deps.dataSource.manager, PurchaseEntity, companyId, { id: purchaseId }, 'Compra no encontrada');
  if (!action.allowed(purchase.status)) throw new DomainError('CONFLICT', action.refusal(purchase.status));
  // A voucher was paid in cash at the counter: there is no charge to give back here.
  if (name === 'refund' && purchase.gateway === 'voucher') throw new DomainError('CONFLICT', 'Una ficha no se reembolsa por la pasarela: revóquela');
  const detail = { reason: request.reason, ...(request.seconds !== undefined ? { seconds: request.seconds } : {}) };
  const audit = (outcome: Record<string, unknown>) =>
    recordAudit(deps.dataSource.manager, {
      actor,
      companyId,
      action: action.audit,
      targetType: 'purchase',
      targetId: purchase.id,
      detail: { ...detail, ...outcome },
    });
  let outcome: AdminActionResult<ActionOutcome>;
  try {
    const input = { actor: { userId: actor.id, email: actor.email }, reason: request.reason };
    outcome = await action.run(deps.workflows, purchase.workflowId, input, request.seconds ?? 0, waitSeconds * 1000);
  } catch (error) {
    await audit({ result: 'error', error: (error as { code?: string }).code ?? 'INTERNAL' });
    throw error;
  }
  const money = { amount_cents: purchase.amountCents, currency: purchase.currency };
  if (outcome === 'in_progress') {
    await audit({ ...money, result: 'in_progress' });
    return { done: false, message: IN_PROGRESS, purchaseId: purchase.id, status: purchase.status, expiresAt: null };
  }
  await audit({ ...money, result: outcome.status });
  return { done: true, message: action.message, purchaseId: purchase.id, status: outcome.status, expiresAt: outcome.expiresAt ?? null };
}
