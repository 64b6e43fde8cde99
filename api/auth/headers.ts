import { HttpError } from '../errors';

type Headers = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * The credential of a request: `Authorization: Bearer <token>` (what the original read), or for router keys also
 * `X-API-Key: <token>` (what its docs told portal authors to send). Missing → 403 "Not authenticated", a non-Bearer
 * scheme → 403 "Invalid authentication credentials": the statuses FastAPI's HTTPBearer gave.
 */
export function credentialFrom(headers: Headers, acceptApiKeyHeader: boolean): string {
  const authorization = first(headers.authorization)?.trim();
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match) return match[1];
  }
  const apiKey = acceptApiKeyHeader ? first(headers['x-api-key'])?.trim() : undefined;
  if (apiKey) return apiKey.replace(/^Bearer\s+/i, '');
  if (authorization) throw new HttpError(403, 'Invalid authentication credentials');
  throw new HttpError(403, 'Not authenticated');
}
