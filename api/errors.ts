import type { ErrorCode } from '../domain/errors';

/**
 * An error that already knows its HTTP answer. Thrown by handlers for the original's exact status + message pairs;
 * lower layers throw DomainError (no HTTP there) and api/plugins/errors.ts maps the code.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`);
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
  SERVICE_UNAVAILABLE: 503,
  DATABASE_UNAVAILABLE: 503,
  DATABASE_REJECTED: 500,
  INTERNAL: 500,
};
