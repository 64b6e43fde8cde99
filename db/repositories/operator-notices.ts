import type { DataSource } from 'typeorm';
import type { OperatorNotice } from '../../domain/temporal';
import { CompanyEntity, PurchaseEntity } from '../entities';
import { columnsOf, part, run } from './statements';

/**
 * The operator notices outbox (`operator_notices`): a notice is a row until the worker's notice sender has sent it (or
 * given it up), then it is deleted. Senders take due rows with SKIP LOCKED and move them `leaseMs` forward in the same
 * statement, so replicas never take the same row while its sender lives, and a sender that dies leaves it to another.
 */

/** The purchase columns the messages are written from. */
const PURCHASE_FIELDS = [
  'id', 'status', 'routerName', 'productName', 'amountCents', 'currency', 'customerName', 'gatewayReference', 'userType',
  'hotspotUsername', 'hotspotPasswordEncrypted', 'customerMessage', 'statusReason',
] as const satisfies readonly (keyof PurchaseEntity)[];

/** The company columns that say whether, and where, its operators are told. */
const COMPANY_FIELDS = ['id', 'name', 'telegramEnabled', 'telegramBotTokenEncrypted', 'telegramChatId'] as const satisfies readonly (keyof CompanyEntity)[];

export type NoticePurchase = Pick<PurchaseEntity, (typeof PURCHASE_FIELDS)[number]>;
export type NoticeCompany = Pick<CompanyEntity, (typeof COMPANY_FIELDS)[number]>;

/** A notice a sender claimed, with what its message needs. */
export interface ClaimedNotice {
  id: string;
  notice: OperatorNotice;
  /** Tries so far, this one included. */
  attempts: number;
  purchase: NoticePurchase;
  company: NoticeCompany;
}

/** Queues a notice about a purchase, due now; false when there is no such purchase (nothing written). */
export async function enqueueNotice(dataSource: DataSource, purchaseId: string, notice: OperatorNotice): Promise<boolean> {
  const rows = await run<{ id: string }>(
    dataSource,
    'operator-notice-enqueue',
    `INSERT INTO operator_notices (purchase_id, notice) SELECT id, $2 FROM purchases WHERE id = $1 RETURNING id`,
    [purchaseId, notice],
  );
  return rows.length > 0;
}

/**
 * Takes up to `limit` due notices, oldest first, skipping those another sender is taking at this moment, and makes
 * them due again `leaseMs` from now (a try more), in one statement with their purchases and companies. With nothing
 * due it reads only the `due_at` index.
 */
export async function claimNotices(dataSource: DataSource, by: { limit: number; leaseMs: number }): Promise<ClaimedNotice[]> {
  const rows = await run<Record<string, unknown>>(
    dataSource,
    'operator-notices-claim',
    `WITH due AS MATERIALIZED (
       SELECT id FROM operator_notices WHERE due_at <= now() ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED
     ), claimed AS (
       UPDATE operator_notices n SET attempts = n.attempts + 1, due_at = now() + $2 * interval '1 millisecond'
         FROM due WHERE n.id = due.id
       RETURNING n.id, n.purchase_id, n.notice, n.attempts
     )
     SELECT claimed.id, claimed.notice, claimed.attempts,
            ${columnsOf(dataSource, PurchaseEntity, 'p', PURCHASE_FIELDS)}, ${columnsOf(dataSource, CompanyEntity, 'c', COMPANY_FIELDS)}
       FROM claimed JOIN purchases p ON p.id = claimed.purchase_id JOIN companies c ON c.id = p.company_id
      ORDER BY claimed.id`,
    [by.limit, by.leaseMs],
  );
  return rows.map((row) => ({
    id: row.id as string,
    notice: row.notice as OperatorNotice,
    attempts: row.attempts as number,
    purchase: part<NoticePurchase>(row, 'p')!,
    company: part<NoticeCompany>(row, 'c')!,
  }));
}

/** Deletes notices that are done with: sent, or not to be sent (any more). */
export async function deleteNotices(dataSource: DataSource, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await run(dataSource, 'operator-notices-delete', `DELETE FROM operator_notices WHERE id = ANY($1::bigint[])`, [ids]);
}

/** Makes notices due again after a failed try: `backoffMs` after the first, doubling with each further try. */
export async function postponeNotices(dataSource: DataSource, ids: readonly string[], backoffMs: number): Promise<void> {
  if (ids.length === 0) return;
  await run(
    dataSource,
    'operator-notices-postpone',
    `UPDATE operator_notices SET due_at = now() + $2 * interval '1 millisecond' * power(2, attempts - 1) WHERE id = ANY($1::bigint[])`,
    [ids, backoffMs],
  );
}
