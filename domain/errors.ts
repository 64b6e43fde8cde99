/**
 * Every failure our code can name. No HTTP status appears below api/: the API maps codes to statuses in one table
 * (api/errors.ts), activities map codes to Temporal's retry decisions (workflows/options.ts).
 */
export type ErrorCode =
  // input and lookup
  | 'VALIDATION_FAILED'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'PRODUCT_NOT_FOUND'
  | 'CONFLICT'
  // authentication and authorization
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  // router (RouterOS)
  | 'ROUTER_UNREACHABLE'
  | 'ROUTER_TIMEOUT'
  | 'ROUTER_LOGIN_REFUSED'
  | 'ROUTER_NOT_FOUND'
  | 'ROUTER_ALREADY_EXISTS'
  | 'ROUTER_INVALID_ARGUMENT'
  | 'ROUTER_ERROR'
  | 'HOTSPOT_USER_CONFLICT'
  // payment gateways
  | 'PAYMENT_DECLINED'
  | 'PAYMENT_GATEWAY_UNAVAILABLE'
  | 'PAYMENT_GATEWAY_REJECTED'
  | 'PAYMENT_NOT_CONFIGURED'
  | 'PAYMENT_NOT_FOUND'
  | 'PAYMENT_NOT_RECORDED'
  // a notification service (Telegram) refused the message
  | 'NOTIFICATION_REJECTED'
  // our own dependencies (Temporal, the database) are unavailable
  | 'SERVICE_UNAVAILABLE'
  // the database did not answer in time (a retry may succeed), or refused what it was given (it never will)
  | 'DATABASE_UNAVAILABLE'
  | 'DATABASE_REJECTED'
  // anything else
  | 'INTERNAL';

/** An expected failure with a stable code. `message` may reach a client; never put secrets or internals in it. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

/**
 * Failures whose messages the payment adapters write for people (Spanish, nothing internal): shown as they are to the
 * customer or admin who asked. Any other failure's message is for the logs.
 */
export const PEOPLE_FACING_CODES: ReadonlySet<ErrorCode> = new Set(['PAYMENT_GATEWAY_REJECTED', 'PAYMENT_NOT_CONFIGURED']);
