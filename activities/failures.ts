import { ApplicationFailure } from '@temporalio/common';
import { classifyDatabaseError, sqlState } from '../db/errors';
import { isDomainError, type DomainError, type ErrorCode } from '../domain/errors';
import type { Logger } from '../shared/logger';

/** Codes worth retrying when the error does not say otherwise: the other side may come back. */
const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set([
  'ROUTER_UNREACHABLE',
  'ROUTER_TIMEOUT',
  'ROUTER_ERROR',
  'PAYMENT_GATEWAY_UNAVAILABLE',
  'DATABASE_UNAVAILABLE',
  'INTERNAL',
]);

/**
 * What Temporal sees of a failure: ApplicationFailure typed with our ErrorCode (never a class name), retryable or
 * not as the adapter classified it, and a message safe to store in history (adapters never put secrets in messages).
 * A database failure is DATABASE_UNAVAILABLE (retryable) or DATABASE_REJECTED (final: the same statement fails again),
 * with the SQLSTATE but never the driver's text, which may quote the values refused.
 * Anything else unclassified stays retryable: a bug in our code is fixed by a deploy, and the retry then succeeds.
 */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (isDomainError(error)) {
    const retryable = (error as { retryable?: boolean }).retryable ?? RETRYABLE_CODES.has(error.code);
    return ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: !retryable, cause: undefined });
  }
  switch (classifyDatabaseError(error)) {
    case 'rejected':
      return finalFailure('DATABASE_REJECTED', `the database refused the statement (SQLSTATE ${sqlState(error) ?? 'unknown'})`);
    case 'unavailable':
      return ApplicationFailure.create({ type: 'DATABASE_UNAVAILABLE', message: 'the database did not answer', nonRetryable: false });
    default:
      return error;
  }
}

/** Wraps an activity so every failure leaves it classified; a database failure's own text goes to `logger` only. */
export function classified<A extends unknown[], R>(fn: (...args: A) => Promise<R>, logger: Pick<Logger, 'error'>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (error) {
      if (classifyDatabaseError(error)) logger.error({ err: error }, 'database call failed');
      throw toActivityFailure(error);
    }
  };
}

/** A final failure raised by an activity itself. */
export function finalFailure(type: ErrorCode, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** A failure Temporal retries whatever its code would say: for work that must not be given up on. */
export function retryableFailure(error: DomainError): ApplicationFailure {
  return ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: false });
}
