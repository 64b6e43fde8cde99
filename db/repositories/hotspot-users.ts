import type { DataSource } from 'typeorm';
import { PurchaseEntity } from '../entities';

/** The latest purchase that created `username` on `routerId` (usernames may be reused after an expiry). */
export function findPurchaseByHotspotUser(ds: DataSource, routerId: string, username: string): Promise<PurchaseEntity | null> {
  return ds.getRepository(PurchaseEntity).findOne({
    where: { routerId, hotspotUsername: username },
    order: { createdAt: 'DESC' },
  });
}
