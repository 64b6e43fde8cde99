import { DomainError, type ErrorCode } from '../domain/errors';

/**
 * An answer that no domain code describes: the transport's own refusals (a multipart body of the wrong type or too
 * large). Everything else is a DomainError, mapped by STATUS_BY_CODE in api/plugins/errors.ts.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'HttpError';
  }
}

/** The one table from domain error codes to HTTP statuses. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 422,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  PRODUCT_NOT_FOUND: 404,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  ROUTER_UNREACHABLE: 503,
  ROUTER_TIMEOUT: 503,
  ROUTER_LOGIN_REFUSED: 502,
  ROUTER_NOT_FOUND: 404,
  ROUTER_ALREADY_EXISTS: 409,
  ROUTER_INVALID_ARGUMENT: 400,
  ROUTER_ERROR: 502,
  HOTSPOT_USER_CONFLICT: 409,
  PAYMENT_DECLINED: 402,
  PAYMENT_GATEWAY_UNAVAILABLE: 503,
  PAYMENT_GATEWAY_REJECTED: 502,
  PAYMENT_NOT_CONFIGURED: 400,
  PAYMENT_NOT_FOUND: 404,
  PAYMENT_NOT_RECORDED: 500,
  NOTIFICATION_REJECTED: 502,
  SERVICE_UNAVAILABLE: 503,
  DATABASE_UNAVAILABLE: 503,
  DATABASE_REJECTED: 500,
  INTERNAL: 500,
};

/** Whether text from elsewhere (a Temporal failure's type) is one of our codes. */
export function isErrorCode(value: string | undefined): value is ErrorCode {
  return value !== undefined && Object.hasOwn(STATUS_BY_CODE, value);
}

/**
 * Where the answer to a purchase that ended without access differs from STATUS_BY_CODE, because the customer is
 * answered rather than an admin: a request the gateway refused is about the card data the customer sent (400, where an
 * admin's call refused by the gateway is a bad gateway), and credentials the gateway refuses are the operator's to fix
 * (502, where a gateway that was never configured, found before the purchase starts, is the request's 400).
 */
export const PURCHASE_STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  PAYMENT_GATEWAY_REJECTED: 400,
  PAYMENT_NOT_CONFIGURED: 502,
};

/** A purchase that ended without access, answered with its customer message: statuses from PURCHASE_STATUS_BY_CODE first. */
export class PurchaseEndedError extends DomainError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'PurchaseEndedError';
  }
}

/** The status of a domain error: PURCHASE_STATUS_BY_CODE for a purchase's own end, else STATUS_BY_CODE. */
export function statusOf(error: DomainError): number {
  return (error instanceof PurchaseEndedError ? PURCHASE_STATUS_BY_CODE[error.code] : undefined) ?? STATUS_BY_CODE[error.code];
}

/** What a domain error may tell the edge besides its message. */
export interface ErrorDetails {
  /** A body field the error is about: the answer is a one-entry validation list (`loc: ["body", field]`). */
  field?: string;
  /** The validation `type` of that entry (`value_error` unless said). */
  type?: string;
  /** Seconds the client should wait (Retry-After) before trying again. */
  retryAfterSeconds?: number;
}

/** A body field refused by a rule the schema cannot express (it needs the database or the configuration). */
export function invalidField(field: string, message: string, type = 'value_error'): DomainError {
  return new DomainError('VALIDATION_FAILED', message, { field, type } satisfies ErrorDetails);
}

/** Too many requests: try again in `seconds`. */
export function rateLimited(message: string, seconds: number): DomainError {
  return new DomainError('RATE_LIMITED', message, { retryAfterSeconds: seconds } satisfies ErrorDetails);
}
