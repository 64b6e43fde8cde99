import { SignJWT } from 'jose';
import { RouterKeyAuthenticator } from '../../../api/auth/router-keys';
import { statusOf } from '../../../api/errors';
import type { DomainError } from '../../../domain/errors';
import { RouterApiKeyEntity, RouterEntity, CompanyEntity } from '../../../db/entities';
import { SecretBox } from '../../../shared/secrets';
import original from '../../fixtures/original-api-key.json';
import { buildTestApp, type TestApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { createCompany, createProduct, createRouter, issueKey } from '../../helpers/fixtures';

const config = testConfig({ RATE_LIMIT_PER_KEY_PER_MINUTE: '40' });
const secrets = new SecretBox(config.SECRET_KEY);

describe('router API keys on the captive-portal routes', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await buildTestApp(db, config, { routerKeyCacheMs: 0 });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  const catalog = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/catalogo_perfiles_venta', headers });

  async function routerWithKey() {
    const company = await createCompany(db.dataSource);
    const router = await createRouter(db.dataSource, secrets, company.id);
    const key = await issueKey(db.dataSource, config, router);
    return { company, router, key };
  }

  it('accepts the key in Authorization: Bearer and in X-API-Key', async () => {
    const { key } = await routerWithKey();
    expect((await catalog({ authorization: `Bearer ${key.apiKey}` })).statusCode).toBe(200);
    expect((await catalog({ 'x-api-key': key.apiKey })).statusCode).toBe(200);
  });

  it('accepts a key produced exactly like the original service did', async () => {
    const company = await createCompany(db.dataSource, { id: original.companyId });
    await createRouter(db.dataSource, secrets, company.id, { id: original.routerId });
    await db.dataSource.getRepository(RouterApiKeyEntity).insert({
      keyId: original.keyId,
      companyId: original.companyId,
      routerId: original.routerId,
      keyHash: original.keyHash,
      issuedAt: new Date(original.issuedAt),
      expiresAt: new Date(original.expiresAt),
      revoked: false,
      revokedAt: null,
    });
    const response = await catalog({ authorization: `Bearer ${original.apiKey}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([]);
  });

  it.each([
    ['no credential', {}, 403, 'Not authenticated'],
    ['a non-Bearer scheme', { authorization: 'Basic abc' }, 403, 'Invalid authentication credentials'],
    ['a key without the jwt_ prefix', { authorization: 'Bearer abc.def.ghi' }, 401, 'Formato de API Key inválido'],
    ['a malformed key', { authorization: 'Bearer jwt_not-a-jwt' }, 401, 'API Key inválida'],
  ])('refuses %s', async (_name, headers, status, detail) => {
    const response = await catalog(headers as Record<string, string>);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ detail });
  });

  it('refuses an expired key, a key signed with another secret and a token of another type', async () => {
    const company = await createCompany(db.dataSource);
    const router = await createRouter(db.dataSource, secrets, company.id);
    const expired = await issueKey(db.dataSource, config, router, new Date(Date.now() - 366 * 86_400_000));
    expect((await catalog({ authorization: `Bearer ${expired.apiKey}` })).json()).toEqual({ detail: 'API Key expirada' });

    const foreign = await new SignJWT({ empresa: router.companyId, type: 'router_api_key' })
      .setProtectedHeader({ alg: 'HS256' })
      .setJti('key_x')
      .setSubject(router.id)
      .setIssuedAt()
      .setExpirationTime('1d')
      .sign(new TextEncoder().encode('another-secret-entirely-0123456789abcdef'));
    const wrongSecret = await catalog({ authorization: `Bearer jwt_${foreign}` });
    expect(wrongSecret.statusCode).toBe(401);
    expect(wrongSecret.json()).toEqual({ detail: 'API Key inválida' });

    const session = await new SignJWT({ type: 'access_token' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('1')
      .setExpirationTime('1d')
      .sign(new TextEncoder().encode(config.JWT_APIKEY_SECRET));
    expect((await catalog({ authorization: `Bearer jwt_${session}` })).json()).toEqual({ detail: 'API Key inválida' });
  });

  it('refuses a key once it expires, though its signature was verified while it was valid', async () => {
    const { key } = await routerWithKey();
    let now = key.expiresAt.getTime() - 1_000;
    const keys = new RouterKeyAuthenticator({
      dataSource: db.dataSource,
      secret: config.JWT_APIKEY_SECRET,
      algorithm: config.JWT_ALGORITHM,
      flushIntervalMs: 0,
      now: () => now,
    });
    try {
      const headers = { 'x-api-key': key.apiKey };
      await expect(keys.authenticate(headers)).resolves.toMatchObject({ keyId: key.keyId });
      now = key.expiresAt.getTime();
      const refused = (await keys.authenticate(headers).catch((error: unknown) => error)) as DomainError;
      expect([statusOf(refused), refused.message]).toEqual([401, 'API Key expirada']);
    } finally {
      await keys.close();
    }
  });

  it('refuses a revoked key and a key whose row is unknown', async () => {
    const { key } = await routerWithKey();
    expect((await catalog({ authorization: `Bearer ${key.apiKey}` })).statusCode).toBe(200);
    await db.dataSource.getRepository(RouterApiKeyEntity).update({ keyId: key.keyId }, { revoked: true, revokedAt: new Date() });
    const revoked = await catalog({ authorization: `Bearer ${key.apiKey}` });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json()).toEqual({ detail: 'API Key no válida o revocada' });

    await db.dataSource.getRepository(RouterApiKeyEntity).delete({ keyId: key.keyId });
    expect((await catalog({ authorization: `Bearer ${key.apiKey}` })).json()).toEqual({ detail: 'API Key no válida o revocada' });
  });

  it('refuses keys of an inactive company or an inactive router', async () => {
    const a = await routerWithKey();
    await db.dataSource.getRepository(CompanyEntity).update({ id: a.company.id }, { active: false });
    expect((await catalog({ authorization: `Bearer ${a.key.apiKey}` })).json()).toEqual({ detail: 'Empresa no activa' });

    const b = await routerWithKey();
    await db.dataSource.getRepository(RouterEntity).update({ id: b.router.id }, { active: false });
    const response = await catalog({ authorization: `Bearer ${b.key.apiKey}` });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ detail: 'Router no activo' });
  });

  it('stops a revoked key within the cache lifetime, with no database write per request', async () => {
    const cached = await buildTestApp(db, config, { routerKeyCacheMs: 300 });
    try {
      const { key } = await routerWithKey();
      const headers = { authorization: `Bearer ${key.apiKey}` };
      for (let i = 0; i < 5; i++) expect((await cached.app.inject({ method: 'GET', url: '/api/v1/catalogo_perfiles_venta', headers })).statusCode).toBe(200);
      const row = () => db.dataSource.getRepository(RouterApiKeyEntity).findOneByOrFail({ keyId: key.keyId });
      expect((await row()).useCount).toBe(0); // counted in memory, not written per request

      await db.dataSource.getRepository(RouterApiKeyEntity).update({ keyId: key.keyId }, { revoked: true, revokedAt: new Date() });
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect((await cached.app.inject({ method: 'GET', url: '/api/v1/catalogo_perfiles_venta', headers })).statusCode).toBe(401);

      await cached.app.close(); // flushes the usage counters
      expect((await row()).useCount).toBe(5);
      expect((await row()).lastUsedAt).not.toBeNull();
    } finally {
      await cached.close().catch(() => undefined);
    }
  });

  it('answers 429 with Retry-After past the per-key limit', async () => {
    const { key } = await routerWithKey();
    const headers = { authorization: `Bearer ${key.apiKey}` };
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) statuses.push((await catalog(headers)).statusCode);
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    const limited = await catalog(headers);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().detail).toMatch(/Demasiadas solicitudes/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('shows a router only its own active products, in display order', async () => {
    const a = await routerWithKey();
    const b = await createRouter(db.dataSource, secrets, a.company.id, { name: 'Router B' });
    const other = await routerWithKey();
    const third = await createProduct(db.dataSource, a.router, { name: 'Semana', displayOrder: 2, priceCents: 19999 });
    const first = await createProduct(db.dataSource, a.router, { name: 'Hora', displayOrder: 0, priceCents: 1999, details: ['Velocidad 5M', { texto: 'Sin límite', extra: 3 }] });
    const second = await createProduct(db.dataSource, a.router, { name: 'Día', displayOrder: 1, featured: true, priceCents: 29 });
    await createProduct(db.dataSource, a.router, { name: 'Viejo', active: false });
    const foreignSameCompany = await createProduct(db.dataSource, b, { name: 'De B' });
    const foreignCompany = await createProduct(db.dataSource, other.router, { name: 'De otra empresa' });

    const list = await catalog({ authorization: `Bearer ${a.key.apiKey}` });
    expect(list.json().map((p: { id: number }) => p.id)).toEqual([first.id, second.id, third.id]);
    expect(list.json()[0]).toEqual({
      id: first.id,
      perfil_mikrotik_id: '*1',
      perfil_mikrotik_nombre: 'default',
      nombre_venta: 'Hora',
      descripcion: 'Internet por una hora',
      imagen_url: null,
      precio: 19.99,
      moneda: 'MXN',
      detalles: [{ value: 'Velocidad 5M' }, { texto: 'Sin límite', extra: '3' }],
      destacado: false,
      creado_en: expect.stringMatching(/Z$/),
      vigencia_segundos: 3600,
      limite_uptime_segundos: null,
    });
    expect(list.json()[1].precio).toBe(0.29);

    const one = (id: number | string) =>
      t.app.inject({ method: 'GET', url: `/api/v1/catalogo_perfiles_venta/${id}`, headers: { 'x-api-key': a.key.apiKey } });
    expect((await one(second.id)).json().nombre_venta).toBe('Día');
    for (const hidden of [foreignSameCompany.id, foreignCompany.id]) {
      const response = await one(hidden);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ detail: 'Producto no encontrado o no disponible' });
    }
    const invalid = await one('abc');
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().detail[0].loc).toEqual(['params', 'producto_id']);
  });

  it('serves the public config with gateway public keys and the router, never a secret', async () => {
    const { company, router, key } = await routerWithKey();
    await db.dataSource.getRepository(CompanyEntity).update(
      { id: company.id },
      { conektaPublicKey: 'key_pub_123', mercadoPagoPublicKey: 'APP_USR-pub', conektaPrivateKeyEncrypted: secrets.encrypt('key_priv') },
    );
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/config/public', headers: { 'x-api-key': key.apiKey } });
    expect(response.json()).toEqual({
      empresa: {
        id: company.id,
        nombre: company.name,
        conekta_public_key: 'key_pub_123',
        mercadopago_public_key: 'APP_USR-pub',
        conekta_mode: 'test',
        mercado_pago_mode: 'test',
        logo_url: null,
      },
      router: { id: router.id, nombre: router.name, ubicacion: 'Lobby' },
    });
    expect(response.body).not.toContain('key_priv');
  });
});
