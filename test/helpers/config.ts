import { parseConfig, type Config } from '../../shared/config';

/** A valid configuration for tests, with overrides. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    DATABASE_URL: process.env.TEST_PG_ADMIN_URL ?? 'postgresql://postgres:test@127.0.0.1:5432/postgres',
    JWT_APIKEY_SECRET: 'test-apikey-secret-0123456789abcdef0123456789',
    JWT_SESSION_SECRET: 'test-session-secret-0123456789abcdef012345678',
    SECRET_KEY: 'test-secret-key-0123456789abcdef0123456789abcd',
    SUPER_ADMIN_INITIAL_EMAIL: 'root@example.com',
    SUPER_ADMIN_INITIAL_PASSWORD: 'root-password-123',
    BCRYPT_ROUNDS: '4',
    ENCRYPTION_KEY_MERCADO_PAGO: 'ZmRqc2FmZGpzYWZkanNhZmRqc2FmZGpzYWZkanNhZmQ=',
    LOG_LEVEL: 'silent',
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    // The simulators listen on loopback, which the default policy refuses.
    ROUTER_ALLOWED_NETWORKS: 'default,127.0.0.0/8',
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return parseConfig(testEnv(overrides));
}
