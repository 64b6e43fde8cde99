import type { DataSource } from 'typeorm';
import { canTransition, PURCHASE_STATUSES, transitionsInto, type PurchaseStatus } from '../../domain/purchase';
import type { PassedStatus, RecordEventInput, RecordStatusInput } from '../../domain/temporal';
import { appendEvent, changeStatus, type StatusChangeResult, type StatusColumns } from '../../db/repositories/purchase-path';
import type { WorkerMetrics } from '../../shared/metrics';
import { finalFailure } from '../failures';

/** Where each status may be reached from, worked out once from the domain's transition table. */
const ALLOWED_FROM = Object.fromEntries(PURCHASE_STATUSES.map((to) => [to, transitionsInto(to)])) as Record<PurchaseStatus, PurchaseStatus[]>;

/**
 * The purchase's own row and history, written by its workflow (the only writer of its status). Each write is one
 * statement (see db/repositories/purchase-path.ts) and idempotent: a retried activity finds the status already set
 * and does nothing. A change is counted in the metrics once it is committed, so a retry never counts it twice.
 */
export function createStoreActivities(dataSource: DataSource, metrics: Pick<WorkerMetrics, 'purchaseStatusChanged'>) {
  const record = statusRecorder(dataSource, metrics);
  return {
    /**
     * Moves the purchase to `to` (through the statuses it `passed` first, if any) and appends each change to its
     * history, atomically.
     */
    async recordPurchaseStatus(input: RecordStatusInput): Promise<void> {
      await record(input);
    },

    /** Appends an event that is not a status change, with the columns it changes (an extension moves expires_at). */
    async recordPurchaseEvent(input: RecordEventInput): Promise<void> {
      const recorded = await appendEvent(dataSource, {
        purchaseId: input.purchaseId,
        type: input.type,
        source: 'workflow',
        detail: input.detail ?? {},
        expiresAt: input.fields?.expiresAt,
        gatewayStatus: input.fields?.gatewayStatus,
      });
      if (!recorded) throw finalFailure('NOT_FOUND', `purchase ${input.purchaseId} does not exist`);
    },
  };
}

/**
 * Writes a status change of the purchase (see `recordPurchaseStatus`); also used by a step's activity that records the
 * status it reaches itself (enable). Returns what the statement found and made.
 */
export function statusRecorder(dataSource: DataSource, metrics: Pick<WorkerMetrics, 'purchaseStatusChanged'>) {
  return async (input: RecordStatusInput): Promise<StatusChangeResult> => {
    const { purchaseId, passed = [], notice, ...last } = input;
    const steps: PassedStatus[] = [...passed, last];
    steps.forEach((step, i) => {
      if (i > 0 && !canTransition(steps[i - 1].to, step.to)) {
        throw finalFailure('INTERNAL', `purchase ${purchaseId}: transition ${steps[i - 1].to} → ${step.to} is not allowed`);
      }
    });
    const result = await changeStatus(dataSource, {
      purchaseId,
      steps: steps.map((step) => ({ to: step.to, detail: { reason: step.reason, ...step.detail } })),
      allowedFrom: ALLOWED_FROM[steps[0].to],
      columns: Object.assign({}, ...steps.map(columnsOf)) as StatusColumns,
      source: 'workflow',
      notice,
    });
    if (!result) throw finalFailure('NOT_FOUND', `purchase ${purchaseId} does not exist`);
    // Nothing made and no error when the row is at `to` (a retry) or one step past it (the step's own activity wrote
    // the next change first, e.g. enable's activation before a late write of the passing statuses).
    if (result.made.length === 0 && result.from !== input.to && !canTransition(input.to, result.from)) {
      throw finalFailure('INTERNAL', `purchase ${purchaseId}: transition ${result.from} → ${steps[0].to} is not allowed`);
    }
    let from = result.from;
    for (const to of result.made) {
      metrics.purchaseStatusChanged({ gateway: result.gateway, from, to, createdAt: result.createdAt, expiresAt: result.expiresAt });
      from = to;
    }
    return result;
  };
}

/** The columns one status change sets; undefined leaves a column as it is (a later step's value wins). */
function columnsOf(step: PassedStatus): StatusColumns {
  const f = step.fields ?? {};
  const columns: StatusColumns = {
    status_reason: step.reason ?? null,
    customer_message: step.message ?? null,
    gateway_reference: f.gatewayReference || undefined,
    gateway_status: f.gatewayStatus,
    gateway_detail: f.gatewayDetail,
    next_action_url: f.nextActionUrl,
    paid_at: f.paidAt,
    activated_at: f.activatedAt,
    expires_at: f.expiresAt,
    ended_at: f.endedAt,
    refunded_cents: f.refundedCents,
    router_user_ref: f.routerUserRef,
  };
  return Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== undefined));
}
