import type { PurchaseStatus } from './purchase';

/**
 * Vouchers ("fichas"): prepaid codes printed in batches, sold at the counter and redeemed on the captive portal. A
 * redemption is a purchase with gateway `voucher`, settled before it starts.
 */

/** A PIN of digits, or a username and a password of VOUCHER_ALPHABET. */
export const VOUCHER_FORMATS = ['pin', 'usuario_contrasena'] as const;
export type VoucherFormat = (typeof VOUCHER_FORMATS)[number];

/**
 * Where a voucher stands: never redeemed (`unused`), its access running or being set up (`active`), its access over or
 * never redeemed by its date (`expired`), or revoked (itself, its batch, or its access by an admin).
 */
export const VOUCHER_STATUSES = ['unused', 'active', 'expired', 'revoked'] as const;
export type VoucherStatus = (typeof VOUCHER_STATUSES)[number];

/**
 * Statuses of a redemption that hold its voucher (`active`): access running, or being set up. Pending is absent: a
 * redemption is settled before it starts.
 */
export const HOLDING_STATUSES: readonly PurchaseStatus[] = ['created', 'charging', 'paid', 'active'];

/** Letters and digits nobody confuses when reading a printed card: no 0/O/Q-like, 1/I/L, 2/Z, 5/S, 8/B. */
export const VOUCHER_ALPHABET = 'ACDEFGHJKMNPRTUVWXY34679';

/** Most vouchers in one batch. */
export const VOUCHER_BATCH_MAX = 5000;

/**
 * Code lengths: a PIN's digits, a password's characters (its username has VOUCHER_USERNAME_LENGTH more). The minimums
 * keep guessing hopeless at the redemption throttle (README, "Vouchers").
 */
export const VOUCHER_CODE_LENGTHS: Record<VoucherFormat, { min: number; max: number; default: number }> = {
  pin: { min: 12, max: 16, default: 12 },
  usuario_contrasena: { min: 8, max: 16, default: 8 },
};
export const VOUCHER_USERNAME_LENGTH = 6;

/** A prefix printed before every code of a batch (the customer types it too): upper-case letters and digits. */
export const VOUCHER_PREFIX = /^[A-Z0-9]{0,8}$/;

/** A code as typed: upper case, without the spaces and dashes it is printed with. */
export function normalizeVoucherCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]+/g, '');
}

/** What identifies a voucher (hashed to find it): the code, and for a username + password voucher both. */
export function voucherSecret(code: string, password?: string): string {
  const normalized = normalizeVoucherCode(code);
  return password === undefined || password === '' ? normalized : `${normalized}:${normalizeVoucherCode(password)}`;
}

/** A code as printed: groups of four, easier to read out and type. */
export function groupVoucherCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1-');
}
