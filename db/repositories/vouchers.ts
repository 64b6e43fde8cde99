import type { EntityManager } from 'typeorm';
import { HOLDING_STATUSES, type VoucherStatus } from '../../domain/vouchers';
import type { VoucherBatchEntity } from '../entities';

/**
 * A voucher's status, worked out from itself, its batch and its latest redemption (`v`, `b`, `p` in the query): the
 * purchase is the truth about access, so nothing is copied back onto the voucher. A redemption that ended without ever
 * giving access (the router was down) leaves the voucher unused, to be redeemed again.
 */
const VOUCHER_STATUS_SQL = `CASE
    WHEN v.revoked_at IS NOT NULL OR b.revoked_at IS NOT NULL THEN 'revoked'
    WHEN p.status IN (${HOLDING_STATUSES.map((s) => `'${s}'`).join(', ')}) THEN 'active'
    WHEN p.status = 'expired' AND p.activated_at IS NOT NULL THEN 'expired'
    WHEN p.activated_at IS NOT NULL THEN 'revoked'
    WHEN b.redeem_by IS NOT NULL AND b.redeem_by <= now() THEN 'expired'
    ELSE 'unused'
  END`;

/** One voucher of a batch as lists, exports and sheets show it (the code still encrypted). */
export interface VoucherRow {
  id: string;
  serial: number;
  codeEncrypted: string;
  status: VoucherStatus;
  purchaseId: string | null;
  purchaseStatus: string | null;
  workflowId: string | null;
  redeemedAt: Date | null;
  expiresAt: Date | null;
  hotspotUsername: string | null;
  revokedAt: Date | null;
}

export interface VoucherQuery {
  status?: VoucherStatus;
  /** One voucher only. */
  voucherId?: string;
  limit?: number;
  offset?: number;
}

/** The vouchers of a batch, in serial order, with their statuses; `total` counts those matching the filter. */
export async function findVoucherRows(
  manager: EntityManager,
  batch: Pick<VoucherBatchEntity, 'id'>,
  query: VoucherQuery = {},
): Promise<{ rows: VoucherRow[]; total: number }> {
  const params: unknown[] = [batch.id];
  const filters: string[] = [];
  if (query.status) filters.push(`status = $${params.push(query.status)}`);
  if (query.voucherId) filters.push(`id = $${params.push(query.voucherId)}`);
  const where = filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : '';
  const paging = query.limit === undefined ? '' : `LIMIT $${params.push(query.limit)} OFFSET $${params.push(query.offset ?? 0)}`;
  const raw: (Omit<VoucherRow, 'id'> & { id: string; total: string })[] = await manager.query(
    `SELECT *, count(*) OVER () AS total FROM (
       SELECT v.id::text AS id, v.serial, v.code_encrypted AS "codeEncrypted", ${VOUCHER_STATUS_SQL} AS status,
              v.purchase_id AS "purchaseId", p.status AS "purchaseStatus", p.workflow_id AS "workflowId",
              v.redeemed_at AS "redeemedAt", p.expires_at AS "expiresAt", p.hotspot_username AS "hotspotUsername",
              v.revoked_at AS "revokedAt"
         FROM vouchers v JOIN voucher_batches b ON b.id = v.batch_id LEFT JOIN purchases p ON p.id = v.purchase_id
        WHERE v.batch_id = $1
     ) listed ${where} ORDER BY serial ${paging}`,
    params,
  );
  return { rows: raw.map(({ total: _total, ...row }) => row), total: raw.length > 0 ? Number(raw[0].total) : 0 };
}

/** How many vouchers of each batch are in each status. */
export async function countVoucherStatuses(manager: EntityManager, batchIds: number[]): Promise<Map<number, Record<VoucherStatus, number>>> {
  const counts = new Map<number, Record<VoucherStatus, number>>();
  if (batchIds.length === 0) return counts;
  const raw: { batch_id: number; status: VoucherStatus; n: string }[] = await manager.query(
    `SELECT v.batch_id, ${VOUCHER_STATUS_SQL} AS status, count(*) AS n
       FROM vouchers v JOIN voucher_batches b ON b.id = v.batch_id LEFT JOIN purchases p ON p.id = v.purchase_id
      WHERE v.batch_id = ANY($1) GROUP BY 1, 2`,
    [batchIds],
  );
  for (const id of batchIds) counts.set(id, { unused: 0, active: 0, expired: 0, revoked: 0 });
  for (const row of raw) counts.get(row.batch_id)![row.status] = Number(row.n);
  return counts;
}
