import type { DataSource } from 'typeorm';
import { openDatabase } from '../../db/data-source';
import { MESSAGES } from '../../domain/messages';
import { SecretBox } from '../../shared/secrets';
import { login } from './admin/support';
import { buildTestApp, type TestApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { FakeWorkflows } from '../helpers/fake-workflows';
import { createAdmin, createCompany, createProduct, createRouter, issueKey } from '../helpers/fixtures';
import { startStallProxy, type StallProxy } from '../helpers/stall-proxy';

const QUERY_TIMEOUT_MS = 1_500;

/**
 * PostgreSQL stalls (a paused process: connections accepted, nothing answered). Requests that cannot reach it in time
 * answer 503 with Retry-After — a purchase with "no se realizó ningún cargo", having started nothing — never a 500 or a
 * hang; once it resumes, the same requests succeed.
 */
describe('when the database stalls', () => {
  let db: TestDatabase;
  let proxy: StallProxy;
  let stalling: DataSource;
  let t: TestApp;
  const workflows = new FakeWorkflows();
  const config = testConfig({ CONEKTA_DEFAULT_PRIVATE_KEY: 'key_default' });
  let portal: { authorization: string };
  let admin: { authorization: string };
  let productId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    const url = new URL(db.url);
    proxy = await startStallProxy({ host: url.hostname, port: Number(url.port) });
    url.port = String(proxy.port);
    stalling = await openDatabase({ url: url.toString(), poolSize: 4, queryTimeoutMs: QUERY_TIMEOUT_MS });
    t = await buildTestApp({ ...db, dataSource: stalling }, config, { workflows, routerKeyCacheMs: 0, catalogCacheMs: 0 });
    const company = await createCompany(db.dataSource);
    const router = await createRouter(db.dataSource, new SecretBox(config.SECRET_KEY), company.id);
    productId = (await createProduct(db.dataSource, router)).id;
    portal = { authorization: `Bearer ${(await issueKey(db.dataSource, config, router)).apiKey}` };
    const user = await createAdmin(db.dataSource, { role: 'cliente_admin', companyId: company.id });
    admin = await login(t, user.email, user.password);
  });
  afterAll(async () => {
    proxy.resume();
    await t.close();
    await stalling.destroy();
    await proxy.close();
    await db.drop();
  });

  const purchase = () =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/payments/pagar-conekta',
      headers: { ...portal, 'idempotency-key': 'stalled-attempt-1' },
      payload: { producto_id: productId, token_tarjeta: 'tok_test_approved_stall', nombre_cliente: 'Ana', email_cliente: 'ana@example.com' },
    });

  it('answers 503 with Retry-After within the query timeout, having started nothing, and recovers once it resumes', async () => {
    proxy.stall();
    const started = Date.now();
    const [buying, catalog, products] = await Promise.all([
      purchase(),
      t.app.inject({ method: 'GET', url: '/api/v1/catalogo_perfiles_venta', headers: portal }),
      t.app.inject({ method: 'GET', url: '/api/v1/admin/products', headers: admin }),
    ]);
    expect(Date.now() - started).toBeLessThan(QUERY_TIMEOUT_MS * 4);
    for (const response of [buying, catalog, products]) {
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ detail: MESSAGES.serviceUnavailable });
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(workflows.callsOf('startPurchase')).toEqual([]);

    proxy.resume();
    const retried = await purchase();
    expect(retried.statusCode).toBe(202);
    expect(workflows.callsOf('startPurchase')).toHaveLength(1);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/catalogo_perfiles_venta', headers: portal })).statusCode).toBe(200);
  }, 30_000);
});
