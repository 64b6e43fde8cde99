import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

/**
 * Timeouts and retry policies of every activity, by kind. Activities throw ApplicationFailure typed with a domain
 * ErrorCode; the codes below are final whatever the policy (retrying them cannot succeed).
 */
export const FINAL_ERROR_TYPES = [
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'ROUTER_LOGIN_REFUSED',
  'ROUTER_INVALID_ARGUMENT',
  'ROUTER_NOT_FOUND',
  'HOTSPOT_USER_CONFLICT',
  'PAYMENT_GATEWAY_REJECTED',
  'PAYMENT_NOT_CONFIGURED',
  'PAYMENT_NOT_FOUND',
  'DATABASE_REJECTED',
];

/** Slow activities heartbeat every second: a dead worker's activity is retried elsewhere after this. */
const HEARTBEAT = '5 seconds';

/**
 * Database writes of the purchase's own row and history: local (no server round trip), retried while the database
 * may come back, for a bounded time. A write it refuses (DATABASE_REJECTED) is final at once; either way the workflow
 * logs the lost record and goes on (bookkeeping never holds back expiry, refunds or revocations).
 */
export const STORE: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', nonRetryableErrorTypes: FINAL_ERROR_TYPES },
};

/** One router call, one gateway call: what a single attempt may take, locally or not. */
const ROUTER_ATTEMPT = '20 seconds';
const CHARGE_ATTEMPT = '40 seconds';

/**
 * The first try of a step every purchase takes (reserve, charge, enable, and the removal at expiry) runs as a local
 * activity: no server round trip, so a purchase that goes well reaches its outcome in a single workflow task, and
 * expires in one. Only one try: a retryable failure hands over to the same activity as a regular one with the step's
 * durable policy below (retries, heartbeats, deadline).
 */
export function firstTry(startToClose: LocalActivityOptions['startToCloseTimeout']): LocalActivityOptions {
  return { startToCloseTimeout: startToClose, retry: { maximumAttempts: 1 } };
}
export const ROUTER_FIRST_TRY = firstTry(ROUTER_ATTEMPT);
export const CHARGE_FIRST_TRY = firstTry(CHARGE_ATTEMPT);

/** Reaching the router before the charge: a short budget, because the customer is waiting and nothing is charged yet. */
export function routerReserve(budgetSeconds: number): ActivityOptions {
  return {
    startToCloseTimeout: ROUTER_ATTEMPT,
    scheduleToCloseTimeout: `${budgetSeconds} seconds`,
    retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '2 seconds', nonRetryableErrorTypes: FINAL_ERROR_TYPES },
  };
}

/** Enabling a paid customer's user: keep trying until the provisioning deadline, then the workflow refunds. */
export function routerProvision(deadlineSeconds: number): ActivityOptions {
  return {
    startToCloseTimeout: ROUTER_ATTEMPT,
    heartbeatTimeout: HEARTBEAT,
    scheduleToCloseTimeout: `${deadlineSeconds} seconds`,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: FINAL_ERROR_TYPES },
  };
}

/** Removing access (declines, expiry, revocation): retried without end, so a router that is down is cleaned when it returns. */
export const ROUTER_CLEANUP: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: HEARTBEAT,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: ['ROUTER_INVALID_ARGUMENT'] },
};

/** Logging the device in: best effort, once; its own polling is bounded inside the activity. */
export const AUTO_CONNECT: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { maximumAttempts: 1 },
};

/**
 * Adding a purchase's time to the device's running purchase, and the router user's limits after a change of time:
 * bounded, because a customer or an admin waits. A stacking that gets no answer gives the purchase a user of its own.
 */
export const STACK_TIME: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', nonRetryableErrorTypes: FINAL_ERROR_TYPES },
};

/** The charge: idempotent by purchase id, so a retry after a timeout cannot charge twice. */
export const PAYMENT_CHARGE: ActivityOptions = {
  startToCloseTimeout: CHARGE_ATTEMPT,
  heartbeatTimeout: HEARTBEAT,
  scheduleToCloseTimeout: '3 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds', nonRetryableErrorTypes: FINAL_ERROR_TYPES },
};

/**
 * Refunds and cancellations: money must not be left behind, so these retry until the gateway answers; only a refusal
 * (nothing to refund, credentials revoked) ends them, and the workflow records it for an operator.
 */
export const PAYMENT_FOLLOW_UP: ActivityOptions = {
  startToCloseTimeout: '40 seconds',
  heartbeatTimeout: HEARTBEAT,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: FINAL_ERROR_TYPES },
};

/** A status lookup while waiting: a failure is skipped, the next poll asks again. */
export const PAYMENT_STATUS: ActivityOptions = {
  startToCloseTimeout: '40 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3, nonRetryableErrorTypes: FINAL_ERROR_TYPES },
};

/**
 * A status lookup after a notice that may mean a refund or a charge-back: asked again, with backoff, until the gateway
 * answers, for at most `withinMs` (until the purchase's end), so an outage cannot make a reversal be forgotten.
 */
export function paymentStatusUntil(withinMs: number): ActivityOptions {
  return {
    startToCloseTimeout: '40 seconds',
    scheduleToCloseTimeout: withinMs,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: FINAL_ERROR_TYPES },
  };
}

/** Telegram and other notifications: a few tries, never blocking a purchase. */
export const NOTIFY: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 3 },
};

/** Short admin operations (probe a router, send a test message): the admin is waiting. */
export const OPERATION: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { maximumAttempts: 1 },
};

/** Reconciliation: a router that does not answer is retried a little, then skipped until the next scheduled run. */
export const RECONCILE: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: HEARTBEAT,
  retry: { initialInterval: '2 seconds', maximumAttempts: 3, nonRetryableErrorTypes: FINAL_ERROR_TYPES },
};
