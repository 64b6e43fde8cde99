import { createHmac, randomUUID } from 'node:crypto';
import { ProcessedWebhookEventEntity } from '../../../db/entities';
import { SecretBox } from '../../../shared/secrets';
import { createPurchase, session } from '../admin/support';
import { buildTestApp, type TestApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { FakeWorkflows } from '../../helpers/fake-workflows';
import { createCompany, createRouter } from '../../helpers/fixtures';

const WEBHOOK_SECRET = 'mp-webhook-secret';

/** Mercado Pago's signature headers for a notification about `dataId`, as the gateway computes them. */
function signed(dataId: string, secret = WEBHOOK_SECRET): Record<string, string> {
  const requestId = randomUUID();
  const ts = String(Math.floor(Date.now() / 1000));
  const v1 = createHmac('sha256', secret).update(`id:${dataId};request-id:${requestId};ts:${ts};`).digest('hex');
  return { 'x-signature': `ts=${ts},v1=${v1}`, 'x-request-id': requestId };
}

/** The webhook routes: only verified notices are recorded, malformed ones are a 4xx naming the field, senders are limited. */
describe('webhook routes', () => {
  let db: TestDatabase;
  let t: TestApp;
  const workflows = new FakeWorkflows();
  const config = testConfig({ RATE_LIMIT_WEBHOOKS_PER_IP_PER_MINUTE: '50' });
  let paymentId: string;
  let remote = 0;
  /** Each test sends from its own address, clear of the others' rate-limit counts. */
  const sender = () => `10.1.${Math.floor(remote / 250)}.${(remote++ % 250) + 1}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await buildTestApp(db, config, { workflows });
    const secrets = new SecretBox(config.SECRET_KEY, config.ENCRYPTION_KEY_MERCADO_PAGO);
    const company = await createCompany(db.dataSource, { mercadoPagoWebhookSecretEncrypted: secrets.encryptMercadoPago(WEBHOOK_SECRET) });
    const router = await createRouter(db.dataSource, secrets, company.id);
    paymentId = '5123456789';
    await createPurchase(db.dataSource, router, null, { gateway: 'mercado_pago', gatewayReference: paymentId, status: 'pending' });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  const mercadoPago = (dataId: string, body: unknown, headers: Record<string, string> = {}, remoteAddress = sender()) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/webhook/mercado-pago?data.id=${dataId}&type=payment`,
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
      remoteAddress,
    });
  const conekta = (body: unknown) =>
    t.app.inject({ method: 'POST', url: '/api/v1/webhook/conekta', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body), remoteAddress: sender() });
  const rows = async () => db.dataSource.getRepository(ProcessedWebhookEventEntity).count();

  it('records no row for notices that name no purchase of ours, so they cannot take an event id from a genuine one', async () => {
    const before = await rows();
    const eventId = 900_000_000_001;
    const squat = await mercadoPago('999999', { id: eventId, type: 'payment', action: 'payment.updated', data: { id: '999999' } });
    expect(squat.statusCode).toBe(200);
    expect(squat.json()).toEqual({ status: 'ignored' });
    const orphan = await conekta({ id: 'evt_unknown_1', type: 'order.paid', data: { object: { id: 'ord_unknown', object: 'order' } } });
    expect(orphan.json()).toEqual({ status: 'ignored' });
    expect(await rows()).toBe(before);

    // The genuine, signed notice with the same event id is news, not a duplicate.
    const genuine = await mercadoPago(paymentId, { id: eventId, type: 'payment', action: 'payment.updated', data: { id: paymentId } }, signed(paymentId));
    expect(genuine.json()).toEqual({ status: 'received' });
    const again = await mercadoPago(paymentId, { id: eventId, type: 'payment', action: 'payment.updated', data: { id: paymentId } }, signed(paymentId));
    expect(again.json()).toEqual({ status: 'duplicate' });
    expect(await rows()).toBe(before + 1);
  });

  it('refuses a notice about a known purchase whose signature is not valid, and records nothing', async () => {
    const before = await rows();
    const forged = await mercadoPago(paymentId, { id: 42, type: 'payment', action: 'payment.updated' }, signed(paymentId, 'another-secret'));
    expect(forged.statusCode).toBe(401);
    expect(await rows()).toBe(before);
  });

  it('acknowledges and ignores the notices of a company with no webhook secret or key (no 401 storm), and its admin sees the missing setting', async () => {
    const secrets = new SecretBox(config.SECRET_KEY, config.ENCRYPTION_KEY_MERCADO_PAGO);
    const unset = await createCompany(db.dataSource, { conektaPublicKey: 'key_public_unset', mercadoPagoPublicKey: 'TEST-public-unset' });
    const router = await createRouter(db.dataSource, secrets, unset.id);
    await createPurchase(db.dataSource, router, null, { gateway: 'mercado_pago', gatewayReference: '6123456789', status: 'active' });
    const order = await createPurchase(db.dataSource, router, null, { gateway: 'conekta', gatewayReference: 'ord_unset_1', status: 'active' });
    const before = await rows();
    const notified = workflows.callsOf('notifyPayment').length;

    const mp = await mercadoPago('6123456789', { id: 777_001, type: 'payment', action: 'payment.updated', data: { id: '6123456789' } }, signed('6123456789'));
    const ck = await conekta({ id: 'evt_unset_1', type: 'order.refunded', data: { object: { id: 'ord_unset_1', object: 'order', metadata: { purchase_id: order.id } } } });

    for (const response of [mp, ck]) {
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ignored' });
    }
    expect(await rows()).toBe(before);
    expect(workflows.callsOf('notifyPayment')).toHaveLength(notified);

    const admin = await session(t, db.dataSource, 'cliente_admin', unset.id);
    const own = await t.app.inject({ method: 'GET', url: '/api/v1/admin/mi-empresa', headers: admin.headers });
    expect(own.json()).toMatchObject({ webhooks_sin_secreto: ['conekta', 'mercado_pago'] });
  });

  it('does not grow the database with a flood of unsigned notices', async () => {
    const before = await rows();
    const address = sender();
    for (let i = 0; i < 40; i++) {
      const response = await mercadoPago(String(7_000_000 + i), { id: 800_000 + i, type: 'payment', action: 'payment.created' }, {}, address);
      expect(response.statusCode).toBe(200);
    }
    expect(await rows()).toBe(before);
  });

  it('limits notices per sender IP, with Retry-After', async () => {
    const address = sender();
    const statuses: number[] = [];
    for (let i = 0; i < 51; i++) statuses.push((await mercadoPago('1', { type: 'payment' }, {}, address)).statusCode);
    expect(statuses.slice(0, 50).every((s) => s === 200)).toBe(true);
    const limited = await mercadoPago('1', { type: 'payment' }, {}, address);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // another sender is not affected
    expect((await mercadoPago('1', { type: 'payment' })).statusCode).toBe(200);
  });

  it.each([
    ['a numeric Mercado Pago action', () => mercadoPago('1', { type: 'payment', action: 123 }), ['body', 'action']],
    ['an object as Mercado Pago action', () => mercadoPago('1', { type: 'payment', action: { x: 1 } }), ['body', 'action']],
    ['a Conekta object id that is a number', () => conekta({ id: 'evt_1', type: 'order.paid', data: { object: { id: 5, object: 'order' } } }), ['body', 'data', 'object', 'id']],
    ['a Conekta object id that is an object', () => conekta({ id: 'evt_1', type: 'order.paid', data: { object: { id: {}, object: 'order' } } }), ['body', 'data', 'object', 'id']],
    ['a numeric Conekta event id', () => conekta({ id: 5, type: 'order.paid', data: { object: { id: 'ord_1', object: 'order' } } }), ['body', 'id']],
    ['NUL in a Conekta event id', () => conekta({ id: 'evt\u00001', type: 'order.paid', data: { object: { id: 'ord_1' } } }), ['body', 'id']],
    ['NUL in a Conekta event type', () => conekta({ id: 'evt_1', type: 'order.\u0000paid', data: { object: { id: 'ord_1' } } }), ['body', 'type']],
  ])('answers %s with 422 naming the field', async (_what, send, loc) => {
    const response = await send();
    expect(response.statusCode).toBe(422);
    expect(response.json().detail.map((d: { loc: unknown }) => d.loc)).toEqual([loc]);
  });

  it('answers a body that is not JSON with 400, and records nothing', async () => {
    const before = await rows();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhook/conekta',
      headers: { 'content-type': 'application/json' },
      payload: '{"id": "evt_1", ',
      remoteAddress: sender(),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'JSON inválido' });
    expect(await rows()).toBe(before);
  });
});
