import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError, parseConfig } from '../../shared/config';
import { testEnv } from '../helpers/config';

const root = path.resolve(__dirname, '../..');

function problems(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('names every missing required variable in one error', () => {
    const found = problems({});
    for (const name of [
      'DATABASE_URL',
      'JWT_APIKEY_SECRET',
      'JWT_SESSION_SECRET',
      'SECRET_KEY',
      'SUPER_ADMIN_INITIAL_EMAIL',
      'SUPER_ADMIN_INITIAL_PASSWORD',
    ]) {
      expect(found).toContainEqual(expect.stringContaining(`${name} is required`));
    }
    expect(found).toHaveLength(6);
  });

  it('names every invalid value', () => {
    const found = problems(
      testEnv({
        DATABASE_URL: 'mysql://x@y/z',
        DATABASE_POOL_SIZE: 'many',
        JWT_ALGORITHM: 'none',
        BCRYPT_ROUNDS: '40',
        DEBUG: 'maybe',
        BACKEND_CORS_ORIGINS: '["https://a.example", 3]',
        ENCRYPTION_KEY_MERCADO_PAGO: 'not-a-fernet-key',
        SUPER_ADMIN_INITIAL_EMAIL: 'not-an-email',
        PORT: '70000',
        WORKER_METRICS_PORT: '-1',
        TEMPORAL_ADDRESS: 'localhost',
      }),
    );
    for (const name of [
      'DATABASE_URL',
      'DATABASE_POOL_SIZE',
      'JWT_ALGORITHM',
      'BCRYPT_ROUNDS',
      'DEBUG',
      'BACKEND_CORS_ORIGINS',
      'ENCRYPTION_KEY_MERCADO_PAGO',
      'SUPER_ADMIN_INITIAL_EMAIL',
      'PORT',
      'WORKER_METRICS_PORT',
      'TEMPORAL_ADDRESS',
    ]) {
      expect(found).toContainEqual(expect.stringContaining(name));
    }
    expect(found).toHaveLength(11);
  });

  it.each([
    ['postgresql+asyncpg://pagos:pw@db:5432/pagos_hotspot', 'postgresql://pagos:pw@db:5432/pagos_hotspot'],
    ['postgresql://pagos:pw@db:5432/pagos_hotspot', 'postgresql://pagos:pw@db:5432/pagos_hotspot'],
    ['postgres://pagos:pw@db/pagos_hotspot', 'postgresql://pagos:pw@db/pagos_hotspot'],
  ])('accepts DATABASE_URL %s', (given, expected) => {
    expect(parseConfig(testEnv({ DATABASE_URL: given })).DATABASE_URL).toBe(expected);
  });

  it.each([
    ['https://portal.example.com,https://admin.example.com', ['https://portal.example.com', 'https://admin.example.com']],
    ['["https://portal.example.com", "http://10.5.50.1"]', ['https://portal.example.com', 'http://10.5.50.1']],
    [' https://a.example , https://b.example/ ', ['https://a.example', 'https://b.example']],
    ['[]', []],
    ['', []],
  ])('accepts BACKEND_CORS_ORIGINS %j', (given, expected) => {
    expect(parseConfig(testEnv({ BACKEND_CORS_ORIGINS: given })).BACKEND_CORS_ORIGINS).toEqual(expected);
  });

  it.each([
    ['', false],
    ['true', true],
    ['2', 2],
    ['10.0.0.1, 10.0.0.0/8', ['10.0.0.1', '10.0.0.0/8']],
  ])('accepts TRUST_PROXY %j', (given, expected) => {
    expect(parseConfig(testEnv({ TRUST_PROXY: given })).TRUST_PROXY).toEqual(expected);
  });

  it('refuses JWT_SESSION_SECRET equal to JWT_APIKEY_SECRET', () => {
    expect(problems(testEnv({ JWT_SESSION_SECRET: 'same-secret', JWT_APIKEY_SECRET: 'same-secret' }))).toEqual([
      'JWT_SESSION_SECRET must be different from JWT_APIKEY_SECRET',
    ]);
  });

  it('keeps the original defaults and honours BCRYPT_ROUNDS', () => {
    const config = parseConfig(testEnv({ BCRYPT_ROUNDS: undefined, ENCRYPTION_KEY_MERCADO_PAGO: undefined }));
    expect(config).toMatchObject({
      DATABASE_POOL_SIZE: 20,
      JWT_ALGORITHM: 'HS256',
      JWT_APIKEY_EXPIRE_DAYS: 365,
      JWT_SESSION_EXPIRE_HOURS: 24,
      BCRYPT_ROUNDS: 12,
      BACKEND_CORS_ORIGINS: [],
      CONEKTA_DEFAULT_PRIVATE_KEY: '',
      ENCRYPTION_KEY_MERCADO_PAGO: '',
      APP_NAME: 'MikroTik Payment API',
      DEBUG: false,
    });
    expect(parseConfig(testEnv({ BCRYPT_ROUNDS: '10' })).BCRYPT_ROUNDS).toBe(10);
  });

  it('loads .env.example, refusing only its example secrets', () => {
    const env = parseDotenv(readFileSync(path.join(root, '.env.example')));
    expect(problems(env)).toEqual([
      'JWT_APIKEY_SECRET still has the example value: set a secret of your own',
      'JWT_SESSION_SECRET still has the example value: set a secret of your own',
      'SECRET_KEY still has the example value: set a secret of your own',
      'SUPER_ADMIN_INITIAL_PASSWORD still has the example value: set a secret of your own',
    ]);
    const ownSecrets = { JWT_APIKEY_SECRET: 'a'.repeat(40), JWT_SESSION_SECRET: 'b'.repeat(40), SECRET_KEY: 'c'.repeat(40), SUPER_ADMIN_INITIAL_PASSWORD: 'root-pass-123' };
    const config = parseConfig({ ...env, ...ownSecrets });
    expect(config.DATABASE_URL).toBe('postgresql://pagos:strongpassword@localhost:5432/pagos_hotspot');
    expect(config.BACKEND_CORS_ORIGINS).toEqual(['https://portal.example.com', 'https://admin.example.com']);
    expect(config.ROUTER_ALLOWED_NETWORKS).toEqual(['default']);
    // every variable the configuration knows is documented there
    const documented = Object.keys(env);
    expect(Object.keys(config).filter((name) => !documented.includes(name))).toEqual([]);
  });

  it("refuses docker-compose.yml's placeholders too, and a super admin password bcrypt would cut", () => {
    expect(
      problems(testEnv({ SECRET_KEY: 'change-me-secret-key', SUPER_ADMIN_INITIAL_PASSWORD: `${'ñ'.repeat(36)}1` })),
    ).toEqual([
      'SECRET_KEY still has the example value: set a secret of your own',
      'SUPER_ADMIN_INITIAL_PASSWORD must be at most 72 bytes',
    ]);
  });

  it('reads ROUTER_ALLOWED_NETWORKS: the default policy when unset, every entry that is not a network, address or name named', () => {
    expect(parseConfig(testEnv({ ROUTER_ALLOWED_NETWORKS: undefined })).ROUTER_ALLOWED_NETWORKS).toEqual(['default']);
    expect(parseConfig(testEnv({ ROUTER_ALLOWED_NETWORKS: ' 10.0.0.0/8, fd00::/8 ,router.example.net,default' })).ROUTER_ALLOWED_NETWORKS).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
      'router.example.net',
      'default',
    ]);
    expect(problems(testEnv({ ROUTER_ALLOWED_NETWORKS: '10.0.0.0/33,127.1,bad host,10.0.0.0/8' }))).toEqual([
      'ROUTER_ALLOWED_NETWORKS must list networks (10.0.0.0/8), addresses, host names or "default" (not: 10.0.0.0/33, 127.1, bad host)',
    ]);
  });

  it('stops the process with one message naming every problem, no stack trace', () => {
    const child = spawnSync(
      process.execPath,
      ['-r', path.join(root, 'test/helpers/register-ts.js'), '-e', `require(${JSON.stringify(path.join(root, 'shared/load-config'))}).loadConfigOrExit()`],
      // run outside the checkout so a developer's .env cannot fill the gaps
      { cwd: tmpdir(), encoding: 'utf8', env: { PATH: process.env.PATH, JWT_ALGORITHM: 'RS256' } },
    );
    expect(child.status).toBe(78);
    expect(child.stdout).toBe('');
    expect(child.stderr).toMatch(/^Invalid configuration:\n/);
    expect(child.stderr).toContain('DATABASE_URL is required');
    expect(child.stderr).toContain('SECRET_KEY is required');
    expect(child.stderr).toContain('JWT_ALGORITHM must be one of HS256, HS384, HS512');
    expect(child.stderr).not.toMatch(/\n\s+at /);
  });
});
