import { createActivityDeps } from '../../../activities/deps';
import { RouterCache } from '../../../activities/routeros/router-cache';
import { createLogger } from '../../../shared/logger';
import { WorkerMetrics } from '../../../shared/metrics';
import { SecretBox } from '../../../shared/secrets';
import { login } from '../../api/admin/support';
import { buildTestApp, type TestApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { createTestDatabase, statementCalls, type TestDatabase } from '../../helpers/database';
import { FakeWorkflows } from '../../helpers/fake-workflows';
import { createAdmin, createCompany, createRouter } from '../../helpers/fixtures';

/**
 * The worker's router cache on a real database, next to a real API that changes routers: reads are counted by
 * PostgreSQL (pg_stat_statements), and the cache lives a minute, so only an announcement explains a change seen sooner.
 */

const config = testConfig();
const secrets = new SecretBox(config.SECRET_KEY);
const logger = createLogger({ level: 'silent' });

async function within(ms: number, check: () => Promise<boolean>): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the worker's router cache", () => {
  let db: TestDatabase;
  let api: TestApp;
  let deps: ReturnType<typeof createActivityDeps>;
  let admin: { authorization: string };
  let companyId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await buildTestApp(db, config, { workflows: new FakeWorkflows() });
    deps = createActivityDeps(config, db.dataSource, secrets, logger, new WorkerMetrics());
    await deps.start();
    const user = await createAdmin(db.dataSource, { role: 'super_admin' });
    admin = await login(api, user.email, user.password);
    companyId = (await createCompany(db.dataSource)).id;
  });
  afterAll(async () => {
    await deps.close();
    await api.close();
    await db.drop();
  });

  /** Times the cache has read a router from the database so far. */
  const reads = () => statementCalls(db.dataSource, '%FROM routers r WHERE r.id = $1');
  const newRouter = () => createRouter(db.dataSource, secrets, companyId);
  const routerUrl = (id: string) => `/admin/empresas/${companyId}/routers/${id}`;

  it('reads a router once, however many ask at once, and then reads nothing', async () => {
    const router = await newRouter();
    const before = await reads();
    const rows = await Promise.all(Array.from({ length: 5 }, () => deps.routers.get(router.id)));
    expect(rows[0]).toMatchObject({ id: router.id, host: router.host, port: router.port, apiUser: 'admin', active: true });
    expect(rows.every((row) => row === rows[0])).toBe(true);
    expect(await reads()).toBe(before + 1);
    for (let i = 0; i < 10; i++) await deps.routers.get(router.id);
    expect(await reads()).toBe(before + 1);
  });

  it('answers null for a router that does not exist, and keeps no answer for it', async () => {
    const before = await reads();
    expect(await deps.routers.get('RTR_NOSUCH')).toBeNull();
    expect(await deps.routers.get('RTR_NOSUCH')).toBeNull();
    expect(await reads()).toBe(before + 2);
  });

  it("sees an admin's change to a router through the API within a second", async () => {
    const router = await newRouter();
    expect((await deps.routers.get(router.id))?.apiUser).toBe('admin');
    const updated = await api.app.inject({
      method: 'PUT',
      url: routerUrl(router.id),
      headers: admin,
      payload: { usuario: 'pagos', puerto: 8729, password: 'new-secret' },
    });
    expect(updated.statusCode).toBe(200);
    await within(1_000, async () => (await deps.routers.get(router.id))?.apiUser === 'pagos');
    const row = (await deps.routers.get(router.id))!;
    expect({ port: row.port, password: secrets.decrypt(row.apiPasswordEncrypted) }).toEqual({ port: 8729, password: 'new-secret' });
  });

  it('never serves a router deactivated through the API from memory, and forgets a deleted one', async () => {
    const router = await newRouter();
    expect((await deps.routers.get(router.id))?.active).toBe(true);
    const deactivated = await api.app.inject({ method: 'PUT', url: `${routerUrl(router.id)}/activo`, headers: admin, payload: { activo: false } });
    expect(deactivated.statusCode).toBe(200);
    await within(1_000, async () => (await deps.routers.get(router.id))?.active === false);
    const before = await reads();
    await deps.routers.get(router.id);
    await deps.routers.get(router.id);
    expect(await reads()).toBe(before + 2);

    const other = await newRouter();
    expect(await deps.routers.get(other.id)).not.toBeNull();
    expect((await api.app.inject({ method: 'DELETE', url: routerUrl(other.id), headers: admin })).statusCode).toBe(200);
    await within(1_000, async () => (await deps.routers.get(other.id)) === null);
  });

  it('forgets every router when it listens again after losing its connection', async () => {
    const router = await newRouter();
    expect((await deps.routers.get(router.id))?.host).toBe('127.0.0.1');
    const listeners = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE '%-listener' AND query LIKE 'LISTEN%'`;
    const count = (await db.dataSource.query(listeners)).length;
    expect(count).toBe(2); // the API's and the worker's
    await db.dataSource.query(`SELECT pg_terminate_backend(pid) FROM (${listeners}) l`);
    // a change nobody announces: the row edited straight in the database
    await db.dataSource.query(`UPDATE routers SET host = '127.0.0.2' WHERE id = $1`, [router.id]);
    await within(5_000, async () => (await db.dataSource.query(listeners)).length === count);
    await within(1_000, async () => (await deps.routers.get(router.id))?.host === '127.0.0.2');
  });

  it('keeps no row whose read was under way when a change was announced', async () => {
    const router = await newRouter();
    const before = await reads();
    const reading = deps.routers.get(router.id);
    deps.routers.invalidate();
    await reading;
    await deps.routers.get(router.id);
    expect(await reads()).toBe(before + 2);
  });

  it("reads a router afresh when asked to reload it (an admin's connection test), and keeps what it read", async () => {
    const router = await newRouter();
    await deps.routers.get(router.id);
    await db.dataSource.query(`UPDATE routers SET api_user = 'probe' WHERE id = $1`, [router.id]);
    const before = await reads();
    expect((await deps.routers.reload(router.id))?.apiUser).toBe('probe');
    expect((await deps.routers.get(router.id))?.apiUser).toBe('probe');
    expect(await reads()).toBe(before + 1);
  });

  it('reads a router again once its lifetime is over, announced or not', async () => {
    let now = 0;
    const cache = new RouterCache(db.dataSource, logger, { ttlMs: 60_000, now: () => now });
    const router = await newRouter();
    const before = await reads();
    await cache.get(router.id);
    now += 59_000;
    await cache.get(router.id);
    expect(await reads()).toBe(before + 1);
    now += 1_000;
    await cache.get(router.id);
    expect(await reads()).toBe(before + 2);
  });
});
