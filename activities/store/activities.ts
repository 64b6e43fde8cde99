import type { DataSource, EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { canTransition, type PurchaseGateway, type PurchaseStatus } from '../../domain/purchase';
import type { RecordEventInput, RecordStatusInput } from '../../domain/temporal';
import { PurchaseEntity, PurchaseEventEntity } from '../../db/entities';
import type { WorkerMetrics } from '../../shared/metrics';
import { finalFailure } from '../failures';

/**
 * The purchase's own row and history, written by its workflow (the only writer of its status). Each write is
 * idempotent: a retried activity finds the status already set and does nothing. A change is counted in the metrics
 * once it is committed, so a retry never counts it twice.
 */
export function createStoreActivities(dataSource: DataSource, metrics: Pick<WorkerMetrics, 'purchaseStatusChanged'>) {
  return {
    /** Moves the purchase to `to` and appends the change to its history, atomically. */
    async recordPurchaseStatus(input: RecordStatusInput): Promise<void> {
      const changed = await dataSource.transaction(async (tx) => {
        const row = await lockPurchase(tx, input.purchaseId);
        if (row.status === input.to) return undefined;
        if (!canTransition(row.status, input.to)) {
          throw finalFailure('INTERNAL', `purchase ${input.purchaseId}: transition ${row.status} → ${input.to} is not allowed`);
        }
        const f = input.fields ?? {};
        // jsonb columns (gatewayDetail) defeat TypeORM's deep-partial typing; the values are plain column values.
        const changes = defined({
          status: input.to,
          statusReason: input.reason ?? null,
          customerMessage: input.message ?? null,
          gatewayReference: f.gatewayReference || undefined,
          gatewayStatus: f.gatewayStatus,
          gatewayDetail: f.gatewayDetail,
          nextActionUrl: f.nextActionUrl,
          paidAt: date(f.paidAt),
          activatedAt: date(f.activatedAt),
          expiresAt: date(f.expiresAt),
          endedAt: date(f.endedAt),
          refundedCents: f.refundedCents,
          updatedAt: new Date(),
        });
        await tx.update(PurchaseEntity, { id: input.purchaseId }, changes as QueryDeepPartialEntity<PurchaseEntity>);
        await tx.insert(PurchaseEventEntity, {
          purchaseId: input.purchaseId,
          type: 'status_changed',
          fromStatus: row.status,
          toStatus: input.to,
          source: 'workflow',
          detail: defined({ reason: input.reason, ...input.detail }),
        });
        return row;
      });
      if (changed) {
        const { gateway, status: from, created_at: createdAt, expires_at: expiresAt } = changed;
        metrics.purchaseStatusChanged({ gateway, from, to: input.to, createdAt, expiresAt });
      }
    },

    /** Appends an event that is not a status change, with the columns it changes (an extension moves expires_at). */
    async recordPurchaseEvent(input: RecordEventInput): Promise<void> {
      await dataSource.transaction(async (tx) => {
        const row = await lockPurchase(tx, input.purchaseId);
        const fields = defined({ expiresAt: date(input.fields?.expiresAt), gatewayStatus: input.fields?.gatewayStatus });
        if (Object.keys(fields).length > 0) await tx.update(PurchaseEntity, { id: input.purchaseId }, { ...fields, updatedAt: new Date() });
        await tx.insert(PurchaseEventEntity, {
          purchaseId: input.purchaseId,
          type: input.type,
          fromStatus: null,
          toStatus: null,
          source: 'workflow',
          detail: { ...input.detail, status: row.status },
        });
      });
    },
  };
}

interface LockedPurchase {
  status: PurchaseStatus;
  gateway: PurchaseGateway;
  created_at: Date;
  expires_at: Date | null;
}

async function lockPurchase(tx: EntityManager, purchaseId: string): Promise<LockedPurchase> {
  const rows: LockedPurchase[] = await tx.query(`SELECT status, gateway, created_at, expires_at FROM purchases WHERE id = $1 FOR UPDATE`, [purchaseId]);
  if (!rows[0]) throw finalFailure('NOT_FOUND', `purchase ${purchaseId} does not exist`);
  return rows[0];
}

function date(iso: string | undefined): Date | undefined {
  return iso === undefined ? undefined : new Date(iso);
}

/** Drops undefined values: "not given" leaves a column unchanged, null clears it. */
function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
