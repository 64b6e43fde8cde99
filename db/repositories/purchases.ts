import type { DataSource } from 'typeorm';
import { PurchaseEntity } from '../entities';

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
