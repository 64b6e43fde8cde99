/**
 * Webhook signature checks for the API's webhook routes. Pure functions over node:crypto: the API never loads a
 * gateway SDK, so Mercado Pago's HMAC is implemented here rather than taken from its SDK.
 */
import { constants, createHash, createHmac, createPublicKey, publicDecrypt, verify, type KeyObject } from 'node:crypto';
import { sameSecret } from '../../shared/secrets';
import { firstHeader } from '../http';

export type SignatureFailure =
  | 'missing_signature' // no signature header
  | 'malformed_signature' // header present but unreadable
  | 'missing_secret' // nothing configured to check against
  | 'invalid_public_key' // the stored Conekta key is not an RSA public key
  | 'signature_mismatch' // signed by someone else, or the signed data was changed
  | 'stale_timestamp'; // authentic but too old (or from the future): a replay

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure };

type HeaderValue = string | string[] | undefined;

const fail = (reason: SignatureFailure): SignatureCheck => ({ ok: false, reason });

/** A header's first value, trimmed; undefined when absent or blank. */
function single(value: HeaderValue): string | undefined {
  return firstHeader(value)?.trim() || undefined;
}

export interface MercadoPagoSignatureInput {
  /** `x-signature` header: `ts=<unix time>,v1=<hex HMAC-SHA256>`. */
  xSignature: HeaderValue;
  /** `x-request-id` header. */
  xRequestId: HeaderValue;
  /** `data.id` from the notification URL's query string. */
  dataId: string | number | undefined;
  /** The company's webhook secret (Your integrations → Webhooks). */
  secret: string;
  /** Maximum age (either direction) of `ts`, in seconds. */
  toleranceSeconds: number;
  /** Current time in epoch milliseconds (tests); defaults to Date.now(). */
  now?: number;
}

/**
 * Verifies a Mercado Pago notification: HMAC-SHA256 with the webhook secret over
 * `id:<data.id>;request-id:<x-request-id>;ts:<ts>;` (a missing part is left out), compared in constant time, then the
 * timestamp checked against the tolerance. An alphanumeric data.id is lower-cased, as Mercado Pago's docs require.
 */
export function verifyMercadoPagoSignature(input: MercadoPagoSignatureInput): SignatureCheck {
  if (!input.secret) return fail('missing_secret');
  const header = single(input.xSignature);
  if (!header) return fail('missing_signature');

  const parts = new Map<string, string>();
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const ts = parts.get('ts');
  const v1 = parts.get('v1');
  if (!ts || !/^\d{1,16}$/.test(ts) || !v1 || !/^[0-9a-f]{64}$/i.test(v1)) return fail('malformed_signature');

  const rawId = single(input.dataId === undefined ? undefined : String(input.dataId));
  const dataId = rawId && /^[A-Za-z0-9]+$/.test(rawId) ? rawId.toLowerCase() : rawId;
  const requestId = single(input.xRequestId);
  const manifest = `${dataId ? `id:${dataId};` : ''}${requestId ? `request-id:${requestId};` : ''}ts:${ts};`;
  const expected = createHmac('sha256', input.secret).update(manifest).digest();
  if (!sameSecret(expected, Buffer.from(v1, 'hex'))) return fail('signature_mismatch');

  // Documented as seconds; 13-digit values are read as milliseconds in case a sender uses them.
  const tsMs = ts.length >= 13 ? Number(ts) : Number(ts) * 1000;
  const driftSeconds = Math.abs((input.now ?? Date.now()) - tsMs) / 1000;
  return driftSeconds > input.toleranceSeconds ? fail('stale_timestamp') : { ok: true };
}

/** Parsed Conekta public keys by PEM: parsing one costs more than the signature check itself, and a company keeps its key. */
const publicKeys = new Map<string, KeyObject | null>();
const PUBLIC_KEYS_KEPT = 1_000;

/** The stored PEM as a key object (parsed once), or null when it is not a public key. */
function publicKey(pem: string): KeyObject | null {
  let key = publicKeys.get(pem);
  if (key !== undefined) return key;
  try {
    key = createPublicKey(pem);
  } catch {
    key = null;
  }
  if (publicKeys.size >= PUBLIC_KEYS_KEPT) publicKeys.clear();
  publicKeys.set(pem, key);
  return key;
}

/**
 * Verifies Conekta's `digest` header: an RSA signature of the SHA-256 of the raw body bytes, made with the private
 * half of the company's webhook key (POST /webhook_keys). Checks the standard PKCS#1 v1.5 signature first; also
 * accepts the other reading of Conekta's wording, the bare SHA-256 (raw or hex) "encrypted" with the private key,
 * recovered with publicDecrypt (type-1 padding, checked by OpenSSL) and compared in full in constant time.
 * The header is base64 (hex also accepted).
 */
export function verifyConektaDigest(rawBody: Buffer, digestHeader: HeaderValue, publicKeyPem: string): SignatureCheck {
  const header = single(digestHeader);
  if (!header) return fail('missing_signature');
  const key = publicKey(publicKeyPem);
  if (!key) return fail('invalid_public_key');
  const modulusBits = key.asymmetricKeyType === 'rsa' ? key.asymmetricKeyDetails?.modulusLength : undefined;
  if (!modulusBits) return fail('invalid_public_key');

  const size = modulusBits / 8;
  const hex = /^[0-9a-f]+$/i.test(header) ? [Buffer.from(header, 'hex')] : [];
  const candidates = [Buffer.from(header, 'base64'), ...hex];
  const signatures = candidates.filter((c) => c.length === size);
  if (signatures.length === 0) return fail('malformed_signature');

  const hash = createHash('sha256').update(rawBody).digest();
  const hexHash = Buffer.from(hash.toString('hex'));
  for (const signature of signatures) {
    if (verify('sha256', rawBody, key, signature)) return { ok: true };
    let recovered: Buffer;
    try {
      recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    } catch {
      continue;
    }
    if (sameSecret(recovered, hash) || sameSecret(recovered, hexHash)) return { ok: true };
  }
  return fail('signature_mismatch');
}
