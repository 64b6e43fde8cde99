import { PostgresWindowCounts } from '../../api/auth/rate-limit-store';
import { RateLimiter } from '../../api/auth/rate-limiter';
import { SecretBox } from '../../shared/secrets';
import { buildTestApp, type TestApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createAdmin, createCompany, createProduct, createRouter, issueKey } from '../helpers/fixtures';
import { login } from './admin/support';

/**
 * Two API apps on one database, as two replicas: the limits they enforce and the caches they keep are one. The caches
 * live long here (a minute), so only the announcement of a change can explain a replica seeing it.
 */

const config = testConfig({ RATE_LIMIT_PER_KEY_PER_MINUTE: '12', RATE_LIMIT_PER_IP_PER_MINUTE: '1000' });
const secrets = new SecretBox(config.SECRET_KEY);
const LONG_CACHE = { routerKeyCacheMs: 60_000, catalogCacheMs: 60_000 };

async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - start;
}

describe('API replicas sharing one database', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let admin: { authorization: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    [a, b] = await Promise.all([buildTestApp(db, config, LONG_CACHE), buildTestApp(db, config, LONG_CACHE)]);
    const user = await createAdmin(db.dataSource, { role: 'super_admin' });
    admin = await login(a, user.email, user.password);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await db.drop();
  });

  async function routerWithKey() {
    const company = await createCompany(db.dataSource);
    const router = await createRouter(db.dataSource, secrets, company.id);
    const key = await issueKey(db.dataSource, config, router);
    return { company, router, key, headers: { authorization: `Bearer ${key.apiKey}` } };
  }
  const catalog = (app: TestApp, headers: Record<string, string>, remoteAddress = '198.51.100.7') =>
    app.app.inject({ method: 'GET', url: '/api/v1/catalogo_perfiles_venta', headers, remoteAddress });

  it('hold the per-key limit together: 12 a minute through both, then 429 with Retry-After from either', async () => {
    const { key, headers } = await routerWithKey();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await catalog(i % 2 ? b : a, headers)).statusCode);
    expect(statuses).toEqual(Array(12).fill(200));
    for (const app of [a, b]) {
      const limited = await catalog(app, headers);
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toEqual({ detail: expect.stringMatching(/^Demasiadas solicitudes\. Intente de nuevo en \d+ segundos\.$/) });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
    expect(await db.dataSource.query(`SELECT hits FROM rate_limit_windows WHERE bucket = $1`, [`key:${key.keyId}`])).toEqual([{ hits: 12 }]);
  });

  it('do not count a request refused by one limit against the others', async () => {
    const strict = testConfig({ RATE_LIMIT_PER_KEY_PER_MINUTE: '3', RATE_LIMIT_PER_IP_PER_MINUTE: '2' });
    const c = await buildTestApp(db, strict);
    try {
      const { headers } = await routerWithKey();
      const answers = [];
      for (const ip of ['192.0.2.1', '192.0.2.1', '192.0.2.1', '192.0.2.2', '192.0.2.3']) answers.push((await catalog(c, headers, ip)).statusCode);
      // the third from 192.0.2.1 is over its IP's limit and leaves the key's third hit to 192.0.2.2
      expect(answers).toEqual([200, 200, 429, 200, 429]);
    } finally {
      await c.close();
    }
  });

  it('refuse a key revoked through the other within a second, although they had it cached', async () => {
    const { company, router, key, headers } = await routerWithKey();
    expect((await catalog(b, headers, '198.51.100.8')).statusCode).toBe(200);
    const revoked = await a.app.inject({
      method: 'POST',
      url: `/admin/empresas/${company.id}/routers/${router.id}/api-keys/${key.keyId}/revoke`,
      headers: admin,
    });
    expect(revoked.statusCode).toBe(200);
    expect((await catalog(a, headers, '198.51.100.8')).statusCode).toBe(401);
    await within(1_000, async () => (await catalog(b, headers, '198.51.100.8')).statusCode === 401);
  });

  it("show a product edited through the other in their catalog within a second", async () => {
    const { company, router, headers } = await routerWithKey();
    const product = await createProduct(db.dataSource, router, { name: 'Hora' });
    const companyAdmin = await createAdmin(db.dataSource, { role: 'cliente_admin', companyId: company.id });
    const session = await login(a, companyAdmin.email, companyAdmin.password);
    expect((await catalog(b, headers, '198.51.100.9')).json().map((p: { nombre_venta: string }) => p.nombre_venta)).toEqual(['Hora']);
    const edited = await a.app.inject({ method: 'PUT', url: `/api/v1/admin/products/${product.id}`, headers: session, payload: { nombre_venta: 'Una hora' } });
    expect(edited.statusCode).toBe(200);
    await within(1_000, async () => (await catalog(b, headers, '198.51.100.9')).json()[0]?.nombre_venta === 'Una hora');
  });

  it('listen again after losing their connection, forgetting what they cached meanwhile', async () => {
    const { router, headers } = await routerWithKey();
    expect((await catalog(b, headers, '198.51.100.10')).statusCode).toBe(200);
    const listeners = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE '%-listener' AND query LIKE 'LISTEN%'`;
    expect(await db.dataSource.query(listeners)).toHaveLength(2);
    await db.dataSource.query(`SELECT pg_terminate_backend(pid) FROM (${listeners}) l`);
    // a change nobody hears: the router is deactivated straight in the database
    await db.dataSource.query(`UPDATE routers SET active = false WHERE id = $1`, [router.id]);
    await within(5_000, async () => (await db.dataSource.query(listeners)).length === 2);
    expect((await catalog(b, headers, '198.51.100.10')).json()).toEqual({ detail: 'Router no activo' });
  });
});

describe('shared rate-limit windows', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('never pass the limit, whatever many processes take at once', async () => {
    const limiters = Array.from({ length: 4 }, () => new RateLimiter(new PostgresWindowCounts(db.dataSource)));
    try {
      const bucket = { id: 'test:burst', limit: 100, windowMs: 60_000 };
      const waits = await Promise.all(Array.from({ length: 400 }, (_, i) => limiters[i % 4].take([bucket])));
      const allowed = waits.filter((wait) => wait === 0).length;
      expect(allowed).toBeLessThanOrEqual(100);
      // leased but unused hits are the only shortfall: a little, never most of the limit
      expect(allowed).toBeGreaterThanOrEqual(80);
      // every refusal says how long to wait: a positive number of seconds within the window (not 0, negative or NaN)
      expect(waits.filter((wait) => wait !== 0).every((wait) => wait > 0 && wait <= 60)).toBe(true);
    } finally {
      limiters.forEach((limiter) => limiter.close());
    }
  });

  it('start a window again once it ended, and delete the ended ones', async () => {
    const counts = new PostgresWindowCounts(db.dataSource);
    const limiter = new RateLimiter(counts);
    try {
      const bucket = { id: 'test:short', limit: 2, windowMs: 300 };
      expect(await limiter.take([bucket])).toBe(0);
      expect(await limiter.take([bucket])).toBe(0);
      expect(await limiter.take([bucket])).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(await limiter.take([bucket])).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 350));
      await counts.prune();
      expect(await db.dataSource.query(`SELECT bucket FROM rate_limit_windows WHERE bucket = 'test:short'`)).toEqual([]);
    } finally {
      limiter.close();
    }
  });
});
