import type { DataSource, EntityManager } from 'typeorm';
import { PurchaseEntity, PurchaseEventEntity } from '../entities';

/** The latest purchase that created `username` on `routerId` (usernames may be reused after an expiry). */
export function findPurchaseByHotspotUser(ds: DataSource, routerId: string, username: string): Promise<PurchaseEntity | null> {
  return ds.getRepository(PurchaseEntity).findOne({
    where: { routerId, hotspotUsername: username },
    order: { createdAt: 'DESC' },
  });
}

/** `expires_at` of the oldest purchase still active past it (its access outlived what was paid), or null. */
export async function oldestOverdueExpiry(ds: DataSource): Promise<Date | null> {
  const rows: { oldest: Date | null }[] = await ds.query(`SELECT min(expires_at) AS oldest FROM purchases WHERE status = 'active' AND expires_at < now()`);
  return rows[0]?.oldest ?? null;
}

/** The first event of a purchase's history: its row written by the API (`created`), with how the attempt came. */
export async function recordPurchaseCreated(tx: EntityManager, purchaseId: string, detail: Record<string, string | number>): Promise<void> {
  await tx.insert(PurchaseEventEntity, { purchaseId, type: 'status_changed', fromStatus: null, toStatus: 'created', source: 'api', detail });
}
