/** Every hotspot user we create carries a comment starting with this. */
export const PURCHASE_TAG_PREFIX = 'pagos-hotspot:';

/** The comment that marks a hotspot user as created by a purchase: ownership is checked against it. */
export function purchaseTag(purchaseId: string): string {
  return `${PURCHASE_TAG_PREFIX}${purchaseId}`;
}
