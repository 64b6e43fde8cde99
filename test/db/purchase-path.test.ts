import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createStoreActivities } from '../../activities/store/activities';
import { PurchaseEntity, PurchaseEventEntity, type CompanyEntity, type RouterEntity } from '../../db/entities';
import { insertPurchase, purchaseWithRouter, recordNotification, type NewPurchase } from '../../db/repositories/purchase-path';
import type { PurchaseStatus } from '../../domain/purchase';
import { SecretBox } from '../../shared/secrets';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createCompany, createRouter } from '../helpers/fixtures';

/**
 * The purchase path's single statements against a real PostgreSQL: a status change checks the transition, moves the
 * row and appends its event exactly once; a retry changes nothing; a disallowed move changes nothing.
 */
describe('purchase path statements', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let company: CompanyEntity;
  let router: RouterEntity;
  const changes: { from: string; to: string }[] = [];
  let store: ReturnType<typeof createStoreActivities>;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = db.dataSource;
    company = await createCompany(ds);
    router = await createRouter(ds, new SecretBox('k'.repeat(32)), company.id);
    store = createStoreActivities(ds, { purchaseStatusChanged: ({ from, to }) => void changes.push({ from, to }) });
  });
  afterAll(() => db.drop());
  beforeEach(() => void changes.splice(0));

  function newPurchase(): NewPurchase {
    const id = randomUUID();
    return {
      id,
      workflowId: `purchase:${company.id}:${router.id}:k-${id}`,
      requestFingerprint: 'f'.repeat(64),
      companyId: company.id,
      routerId: router.id,
      routerName: router.name,
      productId: null,
      productName: 'Una hora',
      profileName: 'default',
      validitySeconds: 3600,
      uptimeLimitSeconds: null,
      gateway: 'conekta',
      amountCents: 2000,
      currency: 'MXN',
      customerName: 'Ana',
      customerEmail: 'ana@example.com',
      customerPhone: null,
      userType: 'usuario_contrasena',
      hotspotUsername: 'PT-AB123',
      hotspotPasswordEncrypted: 'sealed-password',
      clientMac: null,
      clientIp: null,
      autoConnect: false,
      cardTokenEncrypted: 'sealed',
      gatewayRequest: {},
      apiKeyId: null,
    };
  }

  async function created(): Promise<string> {
    const row = await insertPurchase(ds, newPurchase(), { attempt: 'idempotency_key' });
    return row.id;
  }

  const row = (id: string) => ds.getRepository(PurchaseEntity).findOneByOrFail({ id });
  const trail = async (id: string) =>
    (await ds.getRepository(PurchaseEventEntity).find({ where: { purchaseId: id, type: 'status_changed' }, order: { id: 'ASC' } })).map(
      (e) => `${e.fromStatus ?? ''}→${e.toStatus}`,
    );

  it('writes the row with its created event once per attempt; the same attempt again returns the first row', async () => {
    const first = newPurchase();
    const inserted = await insertPurchase(ds, first, { attempt: 'idempotency_key' });
    expect(inserted).toEqual({ id: first.id, requestFingerprint: first.requestFingerprint, inserted: true });
    const again = await insertPurchase(ds, { ...first, id: randomUUID(), requestFingerprint: '0'.repeat(64) }, { attempt: 'idempotency_key' });
    expect(again).toEqual({ id: first.id, requestFingerprint: first.requestFingerprint, inserted: false });
    expect(await trail(first.id)).toEqual(['→created']);
    expect(await ds.getRepository(PurchaseEntity).countBy({ workflowId: first.workflowId })).toBe(1);
    // The credentials come with the row: the reservation has nothing to write before the router user.
    expect(await row(first.id)).toMatchObject({ hotspotUsername: 'PT-AB123', hotspotPasswordEncrypted: 'sealed-password', routerUserRef: null });
  });

  it('moves the row and appends one event; a retry of the same change writes nothing and counts nothing', async () => {
    const id = await created();
    await store.recordPurchaseStatus({ purchaseId: id, to: 'charging' });
    await store.recordPurchaseStatus({ purchaseId: id, to: 'charging' });
    expect((await row(id)).status).toBe('charging');
    expect(await trail(id)).toEqual(['→created', 'created→charging']);
    expect(changes).toEqual([{ from: 'created', to: 'charging' }]);
  });

  it('refuses a move the transition table does not allow, finally, and changes nothing', async () => {
    const id = await created();
    await expect(store.recordPurchaseStatus({ purchaseId: id, to: 'active' })).rejects.toMatchObject({ type: 'INTERNAL', nonRetryable: true });
    await expect(store.recordPurchaseStatus({ purchaseId: randomUUID(), to: 'charging' })).rejects.toMatchObject({ type: 'NOT_FOUND' });
    expect((await row(id)).status).toBe('created');
    expect(await trail(id)).toEqual(['→created']);
    expect(changes).toEqual([]);
  });

  it('writes passed statuses and the last one in one statement, each with its event, columns together; a retry writes nothing', async () => {
    const id = await created();
    const write = () =>
      store.recordPurchaseStatus({
        purchaseId: id,
        to: 'active',
        fields: { activatedAt: '2026-01-01T00:00:10.000Z', expiresAt: '2026-01-01T01:00:10.000Z' },
        passed: [
          { to: 'charging' },
          { to: 'paid', fields: { gatewayReference: 'ord_1', gatewayStatus: 'paid', gatewayDetail: { a: 1 }, paidAt: '2026-01-01T00:00:09.000Z' } },
        ],
      });
    await write();
    await write();
    const after = await row(id);
    expect(after).toMatchObject({ status: 'active', gatewayReference: 'ord_1', gatewayStatus: 'paid', gatewayDetail: { a: 1 } });
    expect(after.paidAt!.toISOString()).toBe('2026-01-01T00:00:09.000Z');
    expect(after.expiresAt!.toISOString()).toBe('2026-01-01T01:00:10.000Z');
    expect(await trail(id)).toEqual(['→created', 'created→charging', 'charging→paid', 'paid→active']);
    expect(changes).toEqual([
      { from: 'created', to: 'charging' },
      { from: 'charging', to: 'paid' },
      { from: 'paid', to: 'active' },
    ]);
  });

  it('writes nothing, and is no error, when the row is already one step past the change (written by the step itself)', async () => {
    const id = await created();
    const times = { activatedAt: '2026-01-01T00:00:10.000Z', expiresAt: '2026-01-01T01:00:10.000Z' };
    await store.recordPurchaseStatus({ purchaseId: id, to: 'active', fields: times, passed: [{ to: 'charging' }, { to: 'paid' }] });
    changes.splice(0);
    await store.recordPurchaseStatus({ purchaseId: id, to: 'paid', passed: [{ to: 'charging' }] });
    expect(await trail(id)).toEqual(['→created', 'created→charging', 'charging→paid', 'paid→active']);
    expect(changes).toEqual([]);
  });

  it('goes on from a passed status already written, and refuses a chain that skips a step', async () => {
    const id = await created();
    await store.recordPurchaseStatus({ purchaseId: id, to: 'charging' });
    await store.recordPurchaseStatus({ purchaseId: id, to: 'paid', passed: [{ to: 'charging' }] });
    expect(await trail(id)).toEqual(['→created', 'created→charging', 'charging→paid']);
    await expect(store.recordPurchaseStatus({ purchaseId: id, to: 'expired', passed: [{ to: 'declined' }] })).rejects.toMatchObject({
      type: 'INTERNAL',
      nonRetryable: true,
    });
    expect((await row(id)).status).toBe('paid');
    expect(await trail(id)).toEqual(['→created', 'created→charging', 'charging→paid']);
  });

  it('keeps the card token while charging and erases it with the change that carries the charge’s answer', async () => {
    const id = await created();
    await store.recordPurchaseStatus({ purchaseId: id, to: 'charging' });
    expect((await row(id)).cardTokenEncrypted).toBe('sealed');
    await store.recordPurchaseStatus({ purchaseId: id, to: 'pending', fields: { gatewayReference: `ord_${id}`, gatewayStatus: 'pending_payment' } });
    expect(await row(id)).toMatchObject({ status: 'pending', cardTokenEncrypted: null, gatewayReference: `ord_${id}`, gatewayStatus: 'pending_payment' });

    const declined = await created();
    await store.recordPurchaseStatus({ purchaseId: declined, to: 'declined', reason: 'card_declined', passed: [{ to: 'charging' }] });
    expect(await row(declined)).toMatchObject({ status: 'declined', cardTokenEncrypted: null, gatewayReference: null });
  });

  it('queues the change’s operator notice with it, once: a retried or concurrent write queues nothing more', async () => {
    const id = await created();
    const notices = async () =>
      ((await ds.query(`SELECT notice FROM operator_notices WHERE purchase_id = $1 ORDER BY id`, [id])) as { notice: string }[]).map((n) => n.notice);
    const times = { activatedAt: '2026-01-01T00:00:10.000Z', expiresAt: '2026-01-01T01:00:10.000Z' };
    const activate = () => store.recordPurchaseStatus({ purchaseId: id, to: 'active', fields: times, passed: [{ to: 'charging' }, { to: 'paid' }], notice: 'approved' });
    await Promise.all([activate(), activate(), activate()]);
    await activate();
    expect(await notices()).toEqual(['approved']);
    // A change the transition table refuses queues nothing.
    await expect(store.recordPurchaseStatus({ purchaseId: id, to: 'declined', notice: 'declined' })).rejects.toMatchObject({ type: 'INTERNAL' });
    await store.recordPurchaseStatus({ purchaseId: id, to: 'refunded', notice: 'refunded' });
    expect(await notices()).toEqual(['approved', 'refunded']);
  });

  it('appends a concurrent duplicate change exactly once', async () => {
    const id = await created();
    await Promise.all(Array.from({ length: 5 }, () => store.recordPurchaseStatus({ purchaseId: id, to: 'charging' })));
    expect(await trail(id)).toEqual(['→created', 'created→charging']);
    expect(changes).toHaveLength(1);
  });

  it('appends an event with the status it happened in and the columns it changes', async () => {
    const id = await created();
    await store.recordPurchaseEvent({ purchaseId: id, type: 'extended', detail: { seconds: 60 }, fields: { expiresAt: '2026-02-01T00:00:00.000Z' } });
    const [event] = await ds.getRepository(PurchaseEventEntity).findBy({ purchaseId: id, type: 'extended' });
    expect(event.detail).toEqual({ seconds: 60, status: 'created' });
    expect((await row(id)).expiresAt!.toISOString()).toBe('2026-02-01T00:00:00.000Z');
    await expect(store.recordPurchaseEvent({ purchaseId: randomUUID(), type: 'extended' })).rejects.toMatchObject({ type: 'NOT_FOUND' });
  });

  it('records a gateway notice once per event id, with its history event', async () => {
    const id = await created();
    const notice = { provider: 'conekta', eventId: `evt_${id}`, eventType: 'order.paid', resourceId: 'ord_1', purchaseId: id, detail: { event_id: 'x' } };
    expect(await recordNotification(ds, notice)).toBe(true);
    expect(await recordNotification(ds, notice)).toBe(false);
    expect(await ds.getRepository(PurchaseEventEntity).countBy({ purchaseId: id, type: 'webhook_received' })).toBe(1);
  });

  it('reads a purchase with its router in one row, typed as the entities are', async () => {
    const id = await created();
    const loaded = await purchaseWithRouter(ds, id);
    expect(loaded!.purchase).toMatchObject({ id, status: 'created' satisfies PurchaseStatus, amountCents: 2000, autoConnect: false });
    expect(loaded!.purchase.createdAt).toBeInstanceOf(Date);
    expect(loaded!.router).toMatchObject({ id: router.id, port: 8728, useTls: false });
    expect(await purchaseWithRouter(ds, randomUUID())).toBeNull();
  });
});
