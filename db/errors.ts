/**
 * What a failed database call means for whoever retries it:
 * - `unavailable`: the database could not be reached or did not answer in time (connection refused, reset or timed
 *   out, a query past its timeout, a server shutting down or out of connections, a deadlock): a retry may succeed.
 * - `rejected`: the database refused the statement for what it holds (SQLSTATE classes 21, 22, 23, 27, 42, 44 and
 *   PL/pgSQL raises, such as NUL in text, a value out of range, a violated constraint, an append-only table): the same
 *   statement fails again, so retrying is pointless.
 * Anything else is not a database failure we can name (undefined).
 */
export type DatabaseFailure = 'unavailable' | 'rejected';

const REJECTED_CLASSES = new Set(['21', '22', '23', '27', '42', '44', 'P0']);
const UNAVAILABLE_CLASSES = new Set(['08', '40', '53', '57', '58']);
const UNAVAILABLE_SQLSTATES = new Set(['55P03']); // lock_not_available
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// node-postgres raises these as plain Errors, without a code.
const DRIVER_UNAVAILABLE = [
  /^timeout exceeded when trying to connect$/,
  /^Connection terminated/,
  /^Query read timeout$/,
  /is not queryable$/,
];

/** The SQLSTATE of a failed query (TypeORM's QueryFailedError keeps the driver's error), if it has one. */
export function sqlState(error: unknown): string | undefined {
  const driver = (error as { driverError?: unknown })?.driverError ?? error;
  const code = (driver as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function classifyDatabaseError(error: unknown): DatabaseFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const state = sqlState(error);
  if (state) {
    if (REJECTED_CLASSES.has(state.slice(0, 2))) return 'rejected';
    if (UNAVAILABLE_CLASSES.has(state.slice(0, 2)) || UNAVAILABLE_SQLSTATES.has(state)) return 'unavailable';
    return undefined;
  }
  const driver = (error as { driverError?: unknown }).driverError ?? error;
  const code = (driver as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'unavailable';
  const message = (driver as { message?: unknown }).message;
  return typeof message === 'string' && DRIVER_UNAVAILABLE.some((pattern) => pattern.test(message)) ? 'unavailable' : undefined;
}
