import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CompanyEntity, PurchaseEventEntity } from '../../../db/entities';
import { SecretBox } from '../../../shared/secrets';
import { createPurchase } from '../admin/support';
import { buildTestApp, type TestApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { FakeWorkflows } from '../../helpers/fake-workflows';
import { createCompany, createRouter } from '../../helpers/fixtures';

/** A webhook key pair as Conekta's POST /webhook_keys makes one: we keep the public half, Conekta signs with the other. */
function keyPair(): { pem: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

/** Statements sent to PostgreSQL through the DataSource's pool from now on. */
function countStatements(ds: DataSource): { count: () => number } {
  const pool = (ds.driver as unknown as { master: { query: (...args: unknown[]) => unknown } }).master;
  let count = 0;
  const query = pool.query.bind(pool);
  pool.query = (...args: unknown[]) => {
    count += 1;
    return query(...args);
  };
  return { count: () => count };
}

/**
 * Conekta notices that carry our purchase and company ids in the order's metadata (every order we make does): verified
 * with that company's key, kept between notices, and recorded in the statement that finds the purchase.
 */
describe('Conekta notices naming their company', () => {
  let db: TestDatabase;
  let t: TestApp;
  const workflows = new FakeWorkflows();
  const config = testConfig();
  let remote = 0;
  let first: { companyId: string; key: ReturnType<typeof keyPair>; router: Awaited<ReturnType<typeof createRouter>> };
  let other: { companyId: string; key: ReturnType<typeof keyPair> };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await buildTestApp(db, config, { workflows });
    const secrets = new SecretBox(config.SECRET_KEY, config.ENCRYPTION_KEY_MERCADO_PAGO);
    const firstKey = keyPair();
    const company = await createCompany(db.dataSource, { conektaWebhookPublicKey: firstKey.pem });
    first = { companyId: company.id, key: firstKey, router: await createRouter(db.dataSource, secrets, company.id) };
    const otherKey = keyPair();
    other = { companyId: (await createCompany(db.dataSource, { conektaWebhookPublicKey: otherKey.pem })).id, key: otherKey };
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  let events = 0;
  /** Sends an event about `purchase`'s order as Conekta would, signed with `privateKey`, naming `companyId`. */
  const notify = (purchase: { id: string; gatewayReference: string | null }, companyId: string, privateKey: KeyObject, type = 'order.paid') => {
    const rawBody = JSON.stringify({
      id: `evt_${++events}_${purchase.id.slice(0, 8)}`,
      object: 'event',
      type,
      data: { object: { id: purchase.gatewayReference, object: 'order', metadata: { purchase_id: purchase.id, company_id: companyId } } },
    });
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/webhook/conekta',
      headers: { 'content-type': 'application/json', digest: sign('sha256', Buffer.from(rawBody), privateKey).toString('base64') },
      payload: rawBody,
      remoteAddress: `10.2.0.${(remote++ % 250) + 1}`,
    });
  };
  const history = (purchaseId: string) => db.dataSource.getRepository(PurchaseEventEntity).findBy({ purchaseId, type: 'webhook_received' });

  it('records a sale’s notice in one statement once its company’s key is known, and wakes the purchase only for news that may reverse it', async () => {
    const warm = await createPurchase(db.dataSource, first.router, null, { status: 'active' });
    expect((await notify(warm, first.companyId, first.key.privateKey)).json()).toEqual({ status: 'received' });

    const purchase = await createPurchase(db.dataSource, first.router, null, { status: 'active' });
    const woken = workflows.callsOf('notifyPayment').length;
    const statements = countStatements(db.dataSource);
    const paid = await notify(purchase, first.companyId, first.key.privateKey);
    expect(paid.json()).toEqual({ status: 'received' });
    expect(statements.count()).toBe(1);
    expect(workflows.callsOf('notifyPayment')).toHaveLength(woken);

    const refunded = await notify(purchase, first.companyId, first.key.privateKey, 'order.refunded');
    expect(refunded.json()).toEqual({ status: 'received' });
    expect(workflows.callsOf('notifyPayment').slice(woken)).toEqual([
      [purchase.workflowId, { eventId: expect.any(String), status: 'order.refunded' }],
    ]);
    expect((await history(purchase.id)).map((e) => e.detail)).toEqual([
      { event_id: expect.any(String), event_type: 'order.paid', status: 'active' },
      { event_id: expect.any(String), event_type: 'order.refunded', status: 'active' },
    ]);
  });

  it('answers a notice sent again as a duplicate and records it once', async () => {
    const purchase = await createPurchase(db.dataSource, first.router, null, { status: 'active' });
    const body = JSON.stringify({
      id: `evt_again_${purchase.id}`,
      type: 'order.paid',
      data: { object: { id: purchase.gatewayReference, object: 'order', metadata: { purchase_id: purchase.id, company_id: first.companyId } } },
    });
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/webhook/conekta',
        headers: { 'content-type': 'application/json', digest: sign('sha256', Buffer.from(body), first.key.privateKey).toString('base64') },
        payload: body,
        remoteAddress: '10.2.1.1',
      });
    expect((await send()).json()).toEqual({ status: 'received' });
    expect((await send()).json()).toEqual({ status: 'duplicate' });
    expect(await history(purchase.id)).toHaveLength(1);
  });

  it('verifies with the company’s new key as soon as it is replaced, and refuses the old one', async () => {
    const purchase = await createPurchase(db.dataSource, first.router, null, { status: 'active' });
    expect((await notify(purchase, first.companyId, first.key.privateKey)).statusCode).toBe(200);
    const replaced = keyPair();
    await db.dataSource.getRepository(CompanyEntity).update({ id: first.companyId }, { conektaWebhookPublicKey: replaced.pem });

    expect((await notify(purchase, first.companyId, replaced.privateKey)).json()).toEqual({ status: 'received' });
    expect((await notify(purchase, first.companyId, first.key.privateKey)).statusCode).toBe(401);
    expect(await history(purchase.id)).toHaveLength(2);
    first.key = replaced;
  });

  it('refuses a forged notice and records nothing', async () => {
    const purchase = await createPurchase(db.dataSource, first.router, null, { status: 'active' });
    const forged = await notify(purchase, first.companyId, keyPair().privateKey, 'order.refunded');
    expect(forged.statusCode).toBe(401);
    expect(await history(purchase.id)).toHaveLength(0);
  });

  it('does not let a company’s genuine notice name another company’s purchase', async () => {
    const purchase = await createPurchase(db.dataSource, first.router, null, { status: 'active' });
    const woken = workflows.callsOf('notifyPayment').length;
    const claimed = await notify(purchase, other.companyId, other.key.privateKey, 'order.refunded');
    expect(claimed.json()).toEqual({ status: 'ignored' });
    expect(await history(purchase.id)).toHaveLength(0);
    expect(workflows.callsOf('notifyPayment')).toHaveLength(woken);
  });

  it('still verifies a notice whose metadata names no company (orders made before) with its purchase’s company key', async () => {
    const purchase = await createPurchase(db.dataSource, first.router, null, { status: 'active' });
    const rawBody = JSON.stringify({
      id: `evt_legacy_${purchase.id}`,
      type: 'order.paid',
      data: { object: { id: purchase.gatewayReference, object: 'order', metadata: { purchase_id: purchase.id } } },
    });
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhook/conekta',
      headers: { 'content-type': 'application/json', digest: sign('sha256', Buffer.from(rawBody), first.key.privateKey).toString('base64') },
      payload: rawBody,
      remoteAddress: '10.2.1.2',
    });
    expect(response.json()).toEqual({ status: 'received' });
    expect(await history(purchase.id)).toHaveLength(1);
  });
});
