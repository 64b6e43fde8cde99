import { DomainError } from '../../domain/errors';
import { firstHeader } from '../http';

type Headers = Record<string, string | string[] | undefined>;

/**
 * The credential of a request: `Authorization: Bearer <token>`, or for router keys also `X-API-Key: <token>` (what
 * portals written for the previous service send). Missing → 403 "Not authenticated", a non-Bearer scheme → 403
 * "Invalid authentication credentials": the statuses those portals and panels expect.
 */
export function credentialFrom(headers: Headers, acceptApiKeyHeader: boolean): string {
  const authorization = firstHeader(headers.authorization)?.trim();
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match) return match[1];
  }
  const apiKey = acceptApiKeyHeader ? firstHeader(headers['x-api-key'])?.trim() : undefined;
  if (apiKey) return apiKey.replace(/^Bearer\s+/i, '');
  if (authorization) throw new DomainError('FORBIDDEN', 'Invalid authentication credentials');
  throw new DomainError('FORBIDDEN', 'Not authenticated');
}
