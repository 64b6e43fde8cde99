import { constants as os } from 'node:os';
import { DomainError, type ErrorCode } from '../../domain/errors';

/** What went wrong talking to a router, coarse enough for a caller to decide between retrying and giving up. */
export type RouterOsErrorKind =
  | 'unreachable'
  | 'not_allowed'
  | 'timeout'
  | 'login_refused'
  | 'not_found'
  | 'already_exists'
  | 'invalid_argument'
  | 'unknown';

const CODES: Record<RouterOsErrorKind, ErrorCode> = {
  unreachable: 'ROUTER_UNREACHABLE',
  not_allowed: 'ROUTER_UNREACHABLE',
  timeout: 'ROUTER_TIMEOUT',
  login_refused: 'ROUTER_LOGIN_REFUSED',
  not_found: 'ROUTER_NOT_FOUND',
  already_exists: 'ROUTER_ALREADY_EXISTS',
  invalid_argument: 'ROUTER_INVALID_ARGUMENT',
  unknown: 'ROUTER_ERROR',
};

/**
 * Network trouble may pass, and an unexplained failure is worth another try; a router's clear "no" is final. An
 * address the policy refuses is retried: an admin may correct the row (or DNS its name), and a user due for removal
 * must not be given up on.
 */
const RETRYABLE: ReadonlySet<RouterOsErrorKind> = new Set(['unreachable', 'not_allowed', 'timeout', 'unknown']);

export interface RouterOsErrorDetails {
  kind: RouterOsErrorKind;
  routerId?: string;
  /** The RouterOS command path (never its arguments: they may hold passwords). */
  command?: string;
  /** The router's own `!trap` text: the router answered, the command failed. */
  trap?: string;
  /** The socket or library error code (`ECONNREFUSED`, `CANTLOGIN`, a TLS code): the conversation itself failed. */
  errno?: string;
}

/**
 * A classified RouterOS failure. `code` is the domain ErrorCode (HOTSPOT_USER_CONFLICT for a hotspot user owned by
 * someone else); `retryable` tells activities whether Temporal should try again. Messages never hold credentials.
 */
export class RouterOsError extends DomainError {
  declare readonly details: RouterOsErrorDetails;

  constructor(
    readonly kind: RouterOsErrorKind,
    message: string,
    details: Omit<RouterOsErrorDetails, 'kind'> = {},
    code: ErrorCode = CODES[kind],
  ) {
    super(code, message, { kind, ...details });
    this.name = 'RouterOsError';
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

export function isRouterOsError(value: unknown): value is RouterOsError {
  return value instanceof RouterOsError;
}

/** `!trap` messages by substring: node-routeros drops the trap's category, so its text is all there is to go by. */
const TRAP_KINDS: ReadonlyArray<[RegExp, RouterOsErrorKind]> = [
  [/already have|already exists/i, 'already_exists'],
  [/no such item/i, 'not_found'],
  [/invalid user name or password|cannot log in|not enough permissions/i, 'login_refused'],
  [
    new RegExp(
      [
        'input does not match any value',
        'invalid value',
        'unknown parameter',
        'expected end of command',
        'missing value',
        'must be specified',
        'ambiguous value',
        'value of .* out of range',
      ].join('|'),
      'i',
    ),
    'invalid_argument',
  ],
];

/** Certificate and handshake failures (Node/OpenSSL codes): retrying cannot fix a router we must not trust. */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|HOSTNAME_MISMATCH)/;

/** `-111` → `ECONNREFUSED`: Node reports socket errnos as negative numbers; node-routeros keeps only the number. */
function errnoName(errno: number): string | undefined {
  return Object.entries(os.errno).find(([, value]) => value === -errno)?.[0];
}

/**
 * Turns anything node-routeros (or a socket) throws into a RouterOsError, by errno and trap text, never by class name.
 * `cause` is the original socket error when the caller captured it (node-routeros replaces it by a bare errno).
 */
export function classifyRouterOsError(
  error: unknown,
  context: Pick<RouterOsErrorDetails, 'routerId' | 'command'> = {},
  cause?: Error & { code?: string },
): RouterOsError {
  if (isRouterOsError(error)) return error;
  const failed = (kind: RouterOsErrorKind, message: string, errno: string) =>
    new RouterOsError(kind, message, { ...context, errno });

  if (cause?.code && TLS_CODE.test(cause.code)) {
    return failed('login_refused', `TLS with the router failed: ${cause.code}`, cause.code);
  }
  const errno: unknown = typeof error === 'object' && error !== null ? (error as { errno?: unknown }).errno : undefined;
  const libraryCode = typeof errno === 'number' ? errnoName(errno) : typeof errno === 'string' ? errno : undefined;
  const code = cause?.code ?? libraryCode;
  if (code === 'CANTLOGIN') return failed('login_refused', 'the router refused the API user name or password', code);
  if (code === 'SOCKTMOUT' || code === 'ETIMEDOUT') return failed('timeout', 'the router did not answer in time', code);
  if (code === 'UNREGISTEREDTAG' || code === 'UNKNOWNREPLY') {
    return failed('unknown', 'the router sent a reply the client could not handle; connection dropped', code);
  }
  if (code !== undefined && /^E[A-Z0-9]+$/.test(code)) {
    return failed('unreachable', `cannot reach the router (${code})`, code);
  }
  if (typeof errno === 'number') {
    return failed('unreachable', `cannot reach the router (errno ${errno})`, String(errno));
  }

  // node-routeros rejects a `!trap` with a plain Error holding the router's message.
  if (!(error instanceof Error) || error.message === '') {
    return new RouterOsError('unknown', 'unexplained RouterOS failure', { ...context, errno: String(errno ?? error) });
  }
  const trap = error.message;
  const kind = TRAP_KINDS.find(([pattern]) => pattern.test(trap))?.[1] ?? 'unknown';
  return new RouterOsError(kind, `RouterOS: ${trap}`, { ...context, trap });
}
