import { In, type DataSource, type EntityManager } from 'typeorm';
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

/** History events that change how long a purchase's access lasts: an admin's extension, time stacked or taken back. */
export const EXTENSION_EVENTS = ['extended', 'time_stacked', 'time_taken_back'] as const;

/**
 * The online time (`limit-uptime`) a purchase's user is owed in all: its plan's plus every extension in its history (an
 * admin's adds its seconds; stacked time its own online time, negative when taken back). Null when the plan has none.
 */
export async function uptimeLimitWithExtensions(manager: EntityManager, purchase: Pick<PurchaseEntity, 'id' | 'uptimeLimitSeconds'>): Promise<number | null> {
  if (!purchase.uptimeLimitSeconds) return null;
  const history = await manager.find(PurchaseEventEntity, { where: { purchaseId: purchase.id, type: In([...EXTENSION_EVENTS]) }, select: { detail: true } });
  const added = history.reduce((sum, { detail }) => sum + extensionUptime(detail), 0);
  return Math.max(purchase.uptimeLimitSeconds + added, 1);
}

/** The online time an extension event adds: stacked time says its own; an admin's extension adds its seconds. */
function extensionUptime(detail: Record<string, unknown>): number {
  const value = detail.uptime_seconds ?? detail.seconds;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
