import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets at rest. Two formats, told apart by their first characters:
 *
 * - `v1.<base64url(iv ‖ ciphertext ‖ tag)>` — AES-256-GCM, key = HKDF-SHA256(SECRET_KEY, salt "pagos-hotspot",
 *   info "secrets-at-rest/v1"), 12-byte random IV, 16-byte tag. Used for every tenant secret.
 * - Fernet (`gAAAAA…`) with ENCRYPTION_KEY_MERCADO_PAGO — the original service's format for Mercado Pago values, so
 *   tokens it stored still decrypt. New Mercado Pago values are written as Fernet too when that key is set.
 *
 * Anything else is refused: a value that is neither is corrupt or plaintext, and plaintext secrets are a bug.
 */
export class SecretBox {
  private readonly gcmKey: Buffer;
  private readonly fingerprintKey: Buffer;
  private readonly voucherKey: Buffer;
  private readonly fernet?: { signing: Buffer; encryption: Buffer };

  constructor(secretKey: string, fernetKey?: string) {
    if (!secretKey) throw new Error('SECRET_KEY is required for secrets at rest');
    this.gcmKey = Buffer.from(hkdfSync('sha256', secretKey, 'pagos-hotspot', 'secrets-at-rest/v1', 32));
    this.fingerprintKey = Buffer.from(hkdfSync('sha256', secretKey, 'pagos-hotspot', 'request-fingerprint/v1', 32));
    this.voucherKey = Buffer.from(hkdfSync('sha256', secretKey, 'pagos-hotspot', 'voucher-code/v1', 32));
    if (fernetKey) {
      const raw = Buffer.from(fernetKey, 'base64url');
      if (raw.length !== 32) throw new Error('ENCRYPTION_KEY_MERCADO_PAGO is not a Fernet key');
      this.fernet = { signing: raw.subarray(0, 16), encryption: raw.subarray(16) };
    }
  }

  /** HMAC-SHA256 (hex) of `value`: tells two requests apart without storing what they carried (a card token). */
  fingerprint(value: string): string {
    return createHmac('sha256', this.fingerprintKey).update(value, 'utf8').digest('hex');
  }

  /** HMAC-SHA256 (hex) of a voucher code, with a key of its own: finds a voucher without storing its code in clear. */
  voucherCodeHash(code: string): string {
    return createHmac('sha256', this.voucherKey).update(code, 'utf8').digest('hex');
  }

  /** Encrypts with AES-256-GCM (`v1.` format). */
  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.gcmKey, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** Encrypts a Mercado Pago value: Fernet when ENCRYPTION_KEY_MERCADO_PAGO is set (original format), else `v1.`. */
  encryptMercadoPago(plaintext: string): string {
    return this.fernet ? this.fernetEncrypt(plaintext) : this.encrypt(plaintext);
  }

  /** Decrypts either format. Throws on tampering, a wrong key, or a value that is not encrypted. */
  decrypt(stored: string): string {
    if (stored.startsWith('v1.')) return this.gcmDecrypt(stored.slice(3));
    if (stored.startsWith('gAAAAA')) return this.fernetDecrypt(stored);
    throw new Error('stored secret is not in an encrypted format');
  }

  /** `decrypt` for nullable columns. */
  decryptOptional(stored: string | null | undefined): string | undefined {
    return stored ? this.decrypt(stored) : undefined;
  }

  private gcmDecrypt(encoded: string): string {
    const raw = Buffer.from(encoded, 'base64url');
    if (raw.length < 28) throw new Error('stored secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.gcmKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  }

  private fernetEncrypt(plaintext: string): string {
    const key = this.requireFernet();
    const iv = randomBytes(16);
    const timestamp = Buffer.alloc(8);
    timestamp.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000)));
    const cipher = createCipheriv('aes-128-cbc', key.encryption, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const signed = Buffer.concat([Buffer.from([0x80]), timestamp, iv, body]);
    const mac = createHmac('sha256', key.signing).update(signed).digest();
    // Python's Fernet emits padded URL-safe base64; Node's 'base64url' drops the padding.
    return Buffer.concat([signed, mac]).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  }

  private fernetDecrypt(token: string): string {
    const key = this.requireFernet();
    const raw = Buffer.from(token, 'base64url');
    if (raw.length < 1 + 8 + 16 + 16 + 32 || raw[0] !== 0x80) throw new Error('not a Fernet token');
    const signed = raw.subarray(0, raw.length - 32);
    const expected = createHmac('sha256', key.signing).update(signed).digest();
    if (!sameSecret(expected, raw.subarray(raw.length - 32))) throw new Error('Fernet token signature mismatch');
    const decipher = createDecipheriv('aes-128-cbc', key.encryption, raw.subarray(9, 25));
    return Buffer.concat([decipher.update(raw.subarray(25, raw.length - 32)), decipher.final()]).toString('utf8');
  }

  private requireFernet() {
    if (!this.fernet) throw new Error('a Fernet value needs ENCRYPTION_KEY_MERCADO_PAGO');
    return this.fernet;
  }
}

/** Masks a stored secret for responses: the original's "********", or null when nothing is stored. */
export function maskSecret(stored: string | null | undefined): string | null {
  return stored ? '********' : null;
}

/** SHA-256 hex, as the original hashed router API keys (high-entropy tokens need no salt). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Whether two secrets (or digests) are equal, in time that does not depend on where they differ; text compares as UTF-8. */
export function sameSecret(a: Buffer | string, b: Buffer | string): boolean {
  const left = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const right = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  return left.length === right.length && timingSafeEqual(left, right);
}
