import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ReservedUser } from '../../../domain/temporal';
import { createRouterActivities } from '../../../activities/routeros/activities';
import { RouterOsClient } from '../../../activities/routeros/client';
import { HotspotOperations } from '../../../activities/routeros/hotspot';
import { RouterCache } from '../../../activities/routeros/router-cache';
import { startRouterSimulator, type RouterSimulator } from '../../../sandbox/routeros/simulator';
import { freePort } from '../../../shared/ports';
import { RouterEndpointPolicy } from '../../../shared/router-endpoints';
import { PurchaseEntity, PurchaseEventEntity } from '../../../db/entities';
import { SecretBox } from '../../../shared/secrets';
import { testConfig } from '../../helpers/config';
import { createTestDatabase, statementCalls, type TestDatabase } from '../../helpers/database';
import { createCompany, createRouter } from '../../helpers/fixtures';
import { capturingLogger, CLIENT_OPTIONS } from './helpers';

const CONNECT_TIMEOUT_MS = 600;

describe('router activities: connection probe', () => {
  let db: TestDatabase;
  let sim: RouterSimulator;
  let silent: Server;
  let client: RouterOsClient;
  const secrets = new SecretBox(testConfig().SECRET_KEY);
  const { logger, lines } = capturingLogger();

  beforeAll(async () => {
    [db, sim] = await Promise.all([createTestDatabase(), startRouterSimulator({ users: { admin: 'router-secret' } })]);
    // Accepts the connection and never says a word.
    silent = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    client = new RouterOsClient({
      ...CLIENT_OPTIONS,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      endpoints: new RouterEndpointPolicy(['default', '127.0.0.1']),
      logger,
    });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
    silent.close();
    await db.drop();
  });

  it('answers one generic failure, never sooner than the connect timeout, whatever went wrong; the reason goes to the log', async () => {
    const activities = createRouterActivities({
      dataSource: db.dataSource,
      secrets,
      hotspot: new HotspotOperations(client),
      routers: new RouterCache(db.dataSource, logger),
      logger,
      metrics: { purchaseStatusChanged: () => undefined },
      routerConnectTimeoutMs: CONNECT_TIMEOUT_MS,
    });
    const company = await createCompany(db.dataSource);
    const router = (values: Parameters<typeof createRouter>[3]) => createRouter(db.dataSource, secrets, company.id, values);
    const cases = {
      refused: await router({ host: '127.0.0.1', port: await freePort() }),
      silent: await router({ host: '127.0.0.1', port: (silent.address() as { port: number }).port }),
      wrongPassword: await router({ host: '127.0.0.1', port: sim.port, password: 'not-the-password' }),
      notAllowed: await router({ host: '127.0.0.2', port: sim.port }),
    };
    expect(await activities.probeRouter((await router({ host: '127.0.0.1', port: sim.port })).id)).toMatchObject({ ok: true });

    const answers: Record<string, unknown> = {};
    for (const [name, row] of Object.entries(cases)) {
      const started = Date.now();
      const result = await activities.probeRouter(row.id);
      answers[name] = { result, waitedAtLeastTheTimeout: Date.now() - started >= CONNECT_TIMEOUT_MS - 5 };
    }
    const generic = {
      result: { ok: false, code: 'ROUTER_UNREACHABLE', message: expect.stringContaining('No fue posible conectar con el router') },
      waitedAtLeastTheTimeout: true,
    };
    expect(answers).toEqual({ refused: generic, silent: generic, wrongPassword: generic, notAllowed: generic });
    expect(new Set(Object.values(answers).map((a) => JSON.stringify(a))).size).toBe(1);

    const log = lines.join('\n');
    for (const detail of ['ECONNREFUSED', 'no API login within', 'CANTLOGIN', 'not allowed by ROUTER_ALLOWED_NETWORKS']) expect(log).toContain(detail);
    expect(log).not.toContain('not-the-password');
  });
});

/**
 * The purchase's user from its reservation to its activation, against the real database and the RouterOS simulator:
 * reserve writes nothing of its own and tells the router's id of the user; enable writes the activation with it.
 */
describe('router activities: reserving and enabling a purchase’s user', () => {
  let db: TestDatabase;
  let sim: RouterSimulator;
  let client: RouterOsClient;
  let activities: ReturnType<typeof createRouterActivities>;
  let routerId: string;
  let companyId: string;
  const secrets = new SecretBox(testConfig().SECRET_KEY);
  const changes: string[] = [];

  const { logger } = capturingLogger();
  beforeAll(async () => {
    [db, sim] = await Promise.all([createTestDatabase(), startRouterSimulator({ users: { admin: 'router-secret' } })]);
    client = new RouterOsClient({ ...CLIENT_OPTIONS, connectTimeoutMs: 2_000, endpoints: new RouterEndpointPolicy(['default', '127.0.0.1']), logger });
    activities = createRouterActivities({
      dataSource: db.dataSource,
      secrets,
      hotspot: new HotspotOperations(client),
      routers: new RouterCache(db.dataSource, logger),
      logger,
      metrics: { purchaseStatusChanged: ({ from, to }) => void changes.push(`${from}→${to}`) },
      routerConnectTimeoutMs: 2_000,
    });
    companyId = (await createCompany(db.dataSource)).id;
    routerId = (await createRouter(db.dataSource, secrets, companyId, { host: '127.0.0.1', port: sim.port })).id;
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
    await db.drop();
  });
  beforeEach(() => void changes.splice(0));

  async function purchaseRow(): Promise<PurchaseEntity> {
    const id = randomUUID();
    return db.dataSource.getRepository(PurchaseEntity).save({
      id,
      workflowId: `purchase:${companyId}:${id}`,
      companyId,
      routerId,
      routerName: 'Router Lobby',
      productName: '1 hora',
      profileName: 'default',
      validitySeconds: 3600,
      gateway: 'conekta',
      amountCents: 2000,
      currency: 'MXN',
      customerName: 'Ana López',
      customerEmail: 'ana@example.com',
      userType: 'pin',
      status: 'created',
      cardTokenEncrypted: 'sealed',
      gatewayRequest: {},
    });
  }
  const row = (id: string) => db.dataSource.getRepository(PurchaseEntity).findOneByOrFail({ id });
  const trail = async (id: string) =>
    (await db.dataSource.getRepository(PurchaseEventEntity).find({ where: { purchaseId: id, type: 'status_changed' }, order: { id: 'ASC' } })).map(
      (e) => `${e.fromStatus ?? ''}→${e.toStatus}`,
    );
  const routerUser = (name: string | null) => sim.state.list('/ip/hotspot/user').find((u) => u.name === name);
  // The charge's answer (its reference unique per gateway, as the gateway's are).
  const paid = () => ({ to: 'paid' as const, fields: { gatewayReference: `ord_${randomUUID()}`, gatewayStatus: 'paid', paidAt: new Date().toISOString() } });

  /** The reservation as its first try runs it: a local activity's first attempt. */
  const reserve = (purchaseId: string): Promise<ReservedUser> =>
    new MockActivityEnvironment({ isLocal: true, attempt: 1 }).run(activities.reserveHotspotUser, purchaseId);
  /** Reads of purchase rows so far. */
  const purchaseReads = () => statementCalls(db.dataSource, 'SELECT p.id AS%FROM purchases p%');

  it('enable writes the activation, the passing statuses and the router’s id in one go, reading no row; a retry keeps the first times', async () => {
    const purchase = await purchaseRow();
    const reserved = await reserve(purchase.id);
    // A PIN user's name is its secret: never in the result (it goes to the workflow's history).
    expect(reserved).toEqual({
      stackable: false,
      routerUserRef: expect.stringMatching(/^\*[0-9A-F]+$/),
      credentialsReplaced: false,
      terms: { routerId, validitySeconds: 3600, uptimeLimitSeconds: null, autoConnect: false },
    });
    const reservedRow = await row(purchase.id);
    expect(reservedRow).toMatchObject({ status: 'created', routerUserRef: null });
    expect(routerUser(reservedRow.hotspotUsername)).toMatchObject({ disabled: 'true' });

    const charged = paid();
    const input = { passed: [{ to: 'charging' as const }, charged], routerUserRef: reserved.routerUserRef, terms: reserved.terms };
    const before = Date.now();
    const reads = await purchaseReads();
    const enabled = await activities.enableHotspotUser(purchase.id, input);
    expect(await purchaseReads()).toBe(reads);
    expect(enabled).toMatchObject({ validitySeconds: 3600, autoConnect: false, activation: { routerUserRef: reserved.routerUserRef, recorded: true } });
    const { activatedAt, expiresAt } = enabled.activation!;
    expect(Date.parse(activatedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(expiresAt) - Date.parse(activatedAt)).toBe(3600 * 1000);
    expect(routerUser(reservedRow.hotspotUsername)).toMatchObject({ disabled: 'false' });
    const active = await row(purchase.id);
    expect(active).toMatchObject({ status: 'active', routerUserRef: reserved.routerUserRef, gatewayReference: charged.fields.gatewayReference, cardTokenEncrypted: null });
    expect([active.activatedAt!.toISOString(), active.expiresAt!.toISOString()]).toEqual([activatedAt, expiresAt]);
    expect(await trail(purchase.id)).toEqual(['created→charging', 'charging→paid', 'paid→active']);
    expect(changes).toEqual(['created→charging', 'charging→paid', 'paid→active']);

    // The durable retry of a first try that did it all: the same answer, nothing written or counted again.
    expect(await activities.enableHotspotUser(purchase.id, input)).toEqual(enabled);
    expect(await trail(purchase.id)).toEqual(['created→charging', 'charging→paid', 'paid→active']);
    expect(changes).toHaveLength(3);
  });

  it('enable after the passing statuses were written (a durable retry) writes only the activation; a stale router id is found by name', async () => {
    const purchase = await purchaseRow();
    const { terms } = await reserve(purchase.id);
    await db.dataSource.getRepository(PurchaseEntity).update({ id: purchase.id }, { status: 'paid' });
    const enabled = await activities.enableHotspotUser(purchase.id, { passed: [{ to: 'charging' }, paid()], routerUserRef: '*FFFF', terms });
    const { hotspotUsername } = await row(purchase.id);
    expect(enabled.activation).toMatchObject({ routerUserRef: routerUser(hotspotUsername)!['.id'], recorded: true });
    expect(await row(purchase.id)).toMatchObject({ status: 'active', routerUserRef: routerUser(hotspotUsername)!['.id'] });
    expect(await trail(purchase.id)).toEqual(['paid→active']);
    expect(changes).toEqual(['paid→active']);
  });

  it('a write the database refuses does not hold the access back: the user is enabled and the workflow is told to write it', async () => {
    const purchase = await purchaseRow();
    const reserved = await reserve(purchase.id);
    const refused = { to: 'paid' as const, fields: { ...paid().fields, gatewayDetail: { note: 'NUL \u0000 in jsonb' } } };
    const enabled = await activities.enableHotspotUser(purchase.id, { passed: [{ to: 'charging' }, refused], routerUserRef: reserved.routerUserRef });
    expect(enabled.activation).toMatchObject({ routerUserRef: reserved.routerUserRef, recorded: false });
    const after = await row(purchase.id);
    expect(after).toMatchObject({ status: 'created', routerUserRef: null });
    expect(routerUser(after.hotspotUsername)).toMatchObject({ disabled: 'false' });
    expect(changes).toEqual([]);
  });
});
