import { ApplicationFailure } from '@temporalio/common';
import { isDomainError, type ErrorCode } from '../domain/errors';

/** Codes worth retrying when the error does not say otherwise: the other side may come back. */
const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set([
  'ROUTER_UNREACHABLE',
  'ROUTER_TIMEOUT',
  'ROUTER_ERROR',
  'PAYMENT_GATEWAY_UNAVAILABLE',
  'INTERNAL',
]);

/**
 * What Temporal sees of a failure: ApplicationFailure typed with our ErrorCode (never a class name), retryable or
 * not as the adapter classified it, and a message safe to store in history (adapters never put secrets in messages).
 * Anything unclassified stays retryable: a bug in our code is fixed by a deploy, and the retry then succeeds.
 */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (isDomainError(error)) {
    const retryable = (error as { retryable?: boolean }).retryable ?? RETRYABLE_CODES.has(error.code);
    return ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: !retryable, cause: undefined });
  }
  return error;
}

/** Wraps an activity so every failure leaves it classified. */
export function classified<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}

/** A final failure raised by an activity itself. */
export function finalFailure(type: ErrorCode, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
