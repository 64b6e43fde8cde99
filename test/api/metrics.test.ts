import { randomUUID } from 'node:crypto';
import { buildTestApp, type TestApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { FakeWorkflows } from '../helpers/fake-workflows';
import { samples, total } from '../helpers/prometheus';

/** The API's /metrics: requests by route template and status, never by the path a client chose. */
describe('API metrics', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await buildTestApp(db, testConfig(), { workflows: new FakeWorkflows() });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  const scrape = async () => {
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.body;
  };

  it('counts requests by route template and status, and times them', async () => {
    const id = randomUUID();
    const scanned = `/wp-admin/${randomUUID()}`;
    const before = await scrape();
    const route = { method: 'GET', route: '/api/v1/purchases/:id', status: '403' };
    for (let i = 0; i < 3; i++) expect((await t.app.inject({ method: 'GET', url: `/api/v1/purchases/${id}` })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: scanned })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);

    const after = await scrape();
    expect(total(after, 'pagos_http_requests_total', route) - total(before, 'pagos_http_requests_total', route)).toBe(3);
    expect(total(after, 'pagos_http_requests_total', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(total(after, 'pagos_http_requests_total', { route: '/health', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(total(after, 'pagos_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/purchases/:id' })).toBeGreaterThanOrEqual(3);
    // the paths themselves are nowhere: no id, no scanned path
    expect(after).not.toContain(id);
    expect(after).not.toContain('wp-admin');
    expect(samples(after).some((s) => s.name === 'process_cpu_seconds_total')).toBe(true);
  });

  it('counts webhook notices by gateway and result', async () => {
    const notice = (path: string, body: unknown) =>
      t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    expect((await notice('/api/v1/webhook/mercado-pago?data.id=123456&type=payment', { type: 'payment', data: { id: '123456' } })).statusCode).toBe(200);
    expect(total(await scrape(), 'pagos_webhook_verifications_total', { gateway: 'mercado_pago', result: 'unknown_purchase' })).toBe(1);
  });
});
