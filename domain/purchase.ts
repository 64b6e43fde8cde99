
/** Payment gateways a purchase can be charged through. */
export const GATEWAYS = ['conekta', 'mercado_pago'] as const;
export type Gateway = (typeof GATEWAYS)[number];

/** How a purchase was paid: through a card gateway, or beforehand at the counter with a voucher (no gateway). */
export const PURCHASE_GATEWAYS = [...GATEWAYS, 'voucher'] as const;
export type PurchaseGateway = (typeof PURCHASE_GATEWAYS)[number];

/** Credential styles, as the original named them: user + 4-digit password, or a 5-digit PIN user. */
export const USER_TYPES = ['usuario_contrasena', 'pin'] as const;
export type UserType = (typeof USER_TYPES)[number];

/**
 * The life of a purchase. `created` → `charging` (hotspot user reserved, disabled) → `paid` → `active` → `expired`,
 * with the side exits below. Terminal states never change again.
 */
export const PURCHASE_STATUSES = [
  'created', // row written by the API; workflow about to reserve the hotspot user
  'charging', // disabled hotspot user exists; charge in flight
  'pending', // gateway said pending or 3-D Secure; waiting for confirmation
  'paid', // charge approved; enabling the hotspot user
  'active', // customer has access until expires_at
  'declined', // gateway declined; user removed
  'failed', // could not charge (router unreachable before the charge, gateway refused the request)
  'cancelled', // pending past its bound: charge cancelled/voided, user removed
  'refunded', // money returned (provisioning failed, admin refund, gateway refund); access removed
  'revoked', // access removed by an admin or a charge-back
  'expired', // validity ended; access removed from the router
] as const;
export type PurchaseStatus = (typeof PURCHASE_STATUSES)[number];

export const TERMINAL_STATUSES: readonly PurchaseStatus[] = ['declined', 'failed', 'cancelled', 'refunded', 'revoked', 'expired'];

const TRANSITIONS: Record<PurchaseStatus, readonly PurchaseStatus[]> = {
  created: ['charging', 'failed'],
  charging: ['pending', 'paid', 'declined', 'failed', 'cancelled'],
  pending: ['paid', 'declined', 'cancelled', 'failed'],
  paid: ['active', 'refunded', 'revoked'],
  active: ['expired', 'revoked', 'refunded'],
  declined: [],
  failed: [],
  cancelled: [],
  refunded: [],
  revoked: [],
  expired: [],
};

/** Monotonic state machine: a late or duplicated notification can never move a purchase backwards. */
export function canTransition(from: PurchaseStatus, to: PurchaseStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses a purchase may move to `to` from (the same table as canTransition). */
export function transitionsInto(to: PurchaseStatus): PurchaseStatus[] {
  return PURCHASE_STATUSES.filter((from) => canTransition(from, to));
}

export function isTerminal(status: PurchaseStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** What the customer's page does next about a purchase. */
export type NextAction = 'wait' | 'redirect' | 'none';

/** Statuses of a purchase still moving on its own: the page waits for them. */
const UNDECIDED: readonly PurchaseStatus[] = ['created', 'charging', 'paid'];

/**
 * The page follows the bank's page while a pending payment has one (3-D Secure), waits while the purchase is still
 * undecided or pending, and does nothing once it is decided.
 */
export function nextAction(status: PurchaseStatus, redirectUrl: string | null | undefined): NextAction {
  if (status === 'pending') return redirectUrl ? 'redirect' : 'wait';
  return UNDECIDED.includes(status) ? 'wait' : 'none';
}

/** Where a change of a purchase came from (purchase_events.source); `import` is a sale brought over from the original service. */
export const EVENT_SOURCES = ['api', 'workflow', 'webhook', 'admin', 'reconciliation', 'import'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];
