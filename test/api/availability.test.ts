import { createServer, type Socket } from 'node:net';
import { TemporalWorkflows } from '../../api/temporal/client';
import { MESSAGES } from '../../domain/messages';
import { PurchaseEntity } from '../../db/entities';
import { freePort } from '../../shared/ports';
import { SecretBox } from '../../shared/secrets';
import { buildTestApp, type TestApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createCompany, createProduct, createRouter, issueKey } from '../helpers/fixtures';

/** `/health` says what is down, `/ready` refuses traffic until all is up, and a purchase while Temporal is down fails fast with 503 and charges nothing. */
describe('when a dependency is down', () => {
  let db: TestDatabase;
  const config = testConfig({ CONEKTA_DEFAULT_PRIVATE_KEY: 'key_default' });

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('reports the database and Temporal as up', async () => {
    const t = await buildTestApp(db, config);
    try {
      expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'healthy', database: 'up', temporal: 'up' });
      const ready = await t.app.inject({ method: 'GET', url: '/ready' });
      expect({ status: ready.statusCode, body: ready.json() }).toEqual({
        status: 200,
        body: { status: 'ready', database: 'up', temporal: 'up', migrations: 'applied' },
      });
    } finally {
      await t.close();
    }
  });

  it('says Temporal is down, and answers a purchase with 503 within seconds', async () => {
    const closed = await freePort();
    const workflows = new TemporalWorkflows({ address: `127.0.0.1:${closed}`, namespace: 'default', taskQueue: 'nowhere' });
    const t: TestApp = await buildTestApp(db, config, { workflows });
    try {
      const health = await t.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toEqual({ status: 'degraded', database: 'up', temporal: 'down' });
      const ready = await t.app.inject({ method: 'GET', url: '/ready' });
      expect({ status: ready.statusCode, body: ready.json() }).toEqual({
        status: 503,
        body: { status: 'not_ready', database: 'up', temporal: 'down', migrations: 'applied' },
      });

      const company = await createCompany(db.dataSource);
      const router = await createRouter(db.dataSource, new SecretBox(config.SECRET_KEY), company.id);
      const product = await createProduct(db.dataSource, router);
      const { apiKey } = await issueKey(db.dataSource, config, router);
      const started = Date.now();
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/payments/pagar-conekta',
        headers: { authorization: `Bearer ${apiKey}` },
        payload: { producto_id: product.id, token_tarjeta: 'tok_test_approved_x1', nombre_cliente: 'Ana', email_cliente: 'ana@example.com' },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ detail: MESSAGES.serviceUnavailable });
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      // the attempt is recorded; submitting it again once Temporal is back starts it
      const rows = await db.dataSource.getRepository(PurchaseEntity).findBy({ companyId: company.id });
      expect(rows).toEqual([expect.objectContaining({ status: 'created' })]);

      // Every other route that needs Temporal answers 503 too, never 500: the router check, the 3-D Secure return.
      const probe = await t.app.inject({ method: 'POST', url: '/api/v1/routers/validar-empresa-router', headers: { authorization: `Bearer ${apiKey}` } });
      expect(probe.statusCode).toBe(503);
      expect(probe.headers['retry-after']).toBeDefined();
      await db.dataSource.getRepository(PurchaseEntity).update({ id: rows[0].id }, { status: 'pending' });
      const back = await t.app.inject({ method: 'GET', url: `/api/v1/purchases/${rows[0].id}/retorno` });
      expect(back.statusCode).toBe(503);
      expect(back.json()).toEqual({ detail: MESSAGES.serviceUnavailable });
    } finally {
      await t.close();
    }
  }, 60_000);

  it('closes while a call to a Temporal that does not answer still waits, and the process lives', async () => {
    // A stalled Temporal: connections accepted, nothing answered.
    const sockets: Socket[] = [];
    const stalled = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    try {
      const address = `127.0.0.1:${(stalled.address() as { port: number }).port}`;
      const workflows = new TemporalWorkflows({ address, namespace: 'default', taskQueue: 'nowhere' });
      const signal = workflows.notifyPayment('purchase:x', { eventId: 'evt_1', status: 'order.paid' }).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await workflows.close();
      // The waiting call fails once its connection drops; its retry used to be scheduled anyway, and threw from a timer
      // on the closed channel, which ends the process.
      for (const socket of sockets) socket.destroy();
      expect(await signal).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    } finally {
      stalled.close();
    }
  });

  it('says the database is down', async () => {
    const other = await createTestDatabase();
    const t = await buildTestApp(other, config);
    try {
      await other.dataSource.destroy();
      expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'degraded', database: 'down', temporal: 'up' });
    } finally {
      await t.close();
      await other.drop();
    }
  });

  it('is not ready while a migration of this code is not applied to the database', async () => {
    const other = await createTestDatabase();
    const t = await buildTestApp(other, config);
    try {
      await other.dataSource.query(`DELETE FROM schema_migrations WHERE id = (SELECT max(id) FROM schema_migrations)`);
      const ready = await t.app.inject({ method: 'GET', url: '/ready' });
      expect({ status: ready.statusCode, body: ready.json() }).toEqual({
        status: 503,
        body: { status: 'not_ready', database: 'up', temporal: 'up', migrations: 'pending' },
      });
    } finally {
      await t.close();
      await other.drop();
    }
  });
});
