import { spawnSync } from 'node:child_process';
import fixture from '../fixtures/fernet.json';
import { maskSecret, SecretBox } from '../../shared/secrets';

describe('SecretBox', () => {
  const box = new SecretBox('a-secret-key-for-tests', fixture.key);

  it('round-trips a secret through AES-256-GCM and never stores the plaintext', () => {
    const stored = box.encrypt('sk_live_private');
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain('sk_live_private');
    expect(box.decrypt(stored)).toBe('sk_live_private');
    expect(box.encrypt('sk_live_private')).not.toBe(stored); // random IV
  });

  it('refuses a tampered ciphertext, a different SECRET_KEY and plaintext values', () => {
    const stored = box.encrypt('router-password');
    const raw = Buffer.from(stored.slice(3), 'base64url');
    raw[14] ^= 0x01;
    expect(() => box.decrypt(`v1.${raw.toString('base64url')}`)).toThrow();
    expect(() => new SecretBox('another-key').decrypt(stored)).toThrow();
    expect(() => box.decrypt('router-password')).toThrow('not in an encrypted format');
  });

  it.each(fixture.tokens)('decrypts a Fernet token made by Python (%#)', ({ token, plaintext }) => {
    expect(box.decrypt(token)).toBe(plaintext);
  });

  it('writes Mercado Pago values as Fernet tokens that Python decrypts', () => {
    const stored = box.encryptMercadoPago('APP_USR-token');
    expect(stored).toMatch(/^gAAAAA/);
    expect(box.decrypt(stored)).toBe('APP_USR-token');
    const python = spawnSync(
      'python3',
      ['-c', 'import sys; from cryptography.fernet import Fernet; print(Fernet(sys.argv[1].encode()).decrypt(sys.argv[2].encode()).decode())', fixture.key, stored],
      { encoding: 'utf8' },
    );
    if (python.error || /No module named/.test(python.stderr)) return; // Python's cryptography not installed here
    expect(python.stdout.trim()).toBe('APP_USR-token');
  });

  it('uses AES-GCM for Mercado Pago values when no Fernet key is configured', () => {
    const withoutFernet = new SecretBox('a-secret-key-for-tests');
    expect(withoutFernet.encryptMercadoPago('APP_USR-token')).toMatch(/^v1\./);
    expect(() => withoutFernet.decrypt(fixture.tokens[0].token)).toThrow('ENCRYPTION_KEY_MERCADO_PAGO');
  });

  it('rejects a Fernet token whose signature does not match', () => {
    const token = fixture.tokens[0].token;
    const tampered = token.slice(0, 40) + (token[40] === 'A' ? 'B' : 'A') + token.slice(41);
    expect(() => box.decrypt(tampered)).toThrow();
  });

  it('masks stored secrets the way the original did', () => {
    expect(maskSecret(box.encrypt('x'))).toBe('********');
    expect(maskSecret(null)).toBeNull();
  });
});
