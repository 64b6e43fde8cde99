import type { DataSource } from 'typeorm';
import { PURCHASE_STATUSES, transitionsInto, type PurchaseStatus } from '../../domain/purchase';
import type { RecordEventInput, RecordStatusInput } from '../../domain/temporal';
import { appendEvent, changeStatus } from '../../db/repositories/purchase-path';
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
  return {
    /** Moves the purchase to `to` and appends the change to its history, atomically. */
    async recordPurchaseStatus(input: RecordStatusInput): Promise<void> {
      const f = input.fields ?? {};
      const result = await changeStatus(dataSource, {
        purchaseId: input.purchaseId,
        to: input.to,
        allowedFrom: ALLOWED_FROM[input.to],
        columns: {
          status_reason: input.reason ?? null,
          customer_message: input.message ?? null,
          gateway_reference: f.gatewayReference || undefined,
          gateway_status: f.gatewayStatus,
          gateway_detail: f.gatewayDetail,
          next_action_url: f.nextActionUrl,
          paid_at: f.paidAt,
          activated_at: f.activatedAt,
          expires_at: f.expiresAt,
          ended_at: f.endedAt,
          refunded_cents: f.refundedCents,
        },
        source: 'workflow',
        detail: { reason: input.reason, ...input.detail },
      });
      if (!result) throw finalFailure('NOT_FOUND', `purchase ${input.purchaseId} does not exist`);
      if (result.changed) {
        metrics.purchaseStatusChanged({ gateway: result.gateway, from: result.from, to: input.to, createdAt: result.createdAt, expiresAt: result.expiresAt });
      } else if (result.from !== input.to) {
        throw finalFailure('INTERNAL', `purchase ${input.purchaseId}: transition ${result.from} → ${input.to} is not allowed`);
      }
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
