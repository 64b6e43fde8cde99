import { timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { isHotspotPassword, isHotspotUsername } from '../../domain/network';
import type { PurchaseEntity } from '../../db/entities';
import { findPurchaseByHotspotUser } from '../../db/repositories/hotspot-users';
import type { SecretBox } from '../../shared/secrets';

export type CredentialCheck =
  | { ok: true; purchase: PurchaseEntity; remainingSeconds: number }
  | { ok: false; reason: 'invalid' | 'expired' };

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks hotspot credentials against the purchase that created the user on this router: a PIN user has no password,
 * any other user must give its password. Whether the access has ended is said only after the credentials match, so a
 * stranger learns nothing about a username. (The original logged in anyone who knew a username.)
 */
export async function checkHotspotCredentials(
  ds: DataSource,
  secrets: SecretBox,
  routerId: string,
  username: string,
  password: string | undefined,
  now = new Date(),
): Promise<CredentialCheck> {
  if (!isHotspotUsername(username) || (password !== undefined && !isHotspotPassword(password))) {
    return { ok: false, reason: 'invalid' };
  }
  const purchase = await findPurchaseByHotspotUser(ds, routerId, username);
  if (!purchase) return { ok: false, reason: 'invalid' };
  if (purchase.userType === 'pin') {
    if (password) return { ok: false, reason: 'invalid' };
  } else {
    const stored = secrets.decryptOptional(purchase.hotspotPasswordEncrypted);
    if (!password || stored === undefined || !sameSecret(password, stored)) return { ok: false, reason: 'invalid' };
  }
  const remainingMs = purchase.expiresAt ? purchase.expiresAt.getTime() - now.getTime() : 0;
  if (purchase.status !== 'active' || remainingMs <= 0) return { ok: false, reason: 'expired' };
  return { ok: true, purchase, remainingSeconds: Math.floor(remainingMs / 1000) };
}
