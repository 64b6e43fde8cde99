import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { MIGRATIONS } from '../../db/migrations';
import { PurchaseEntity } from '../../db/entities';
import { RECONCILE_SCHEDULE_ID, SEARCH_ATTRIBUTES } from '../../domain/temporal';
import { testEnv } from '../helpers/config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createAdmin, createRouter, issueKey } from '../helpers/fixtures';
import { startProcesses, startWorkerProcess, type Processes, type ServiceProcess } from '../helpers/processes';
import { routerUser } from '../helpers/purchases';
import { cardToken, startStack, type TestStack } from '../helpers/stack';

/** Every process starts alone with nobody to coordinate it: replicas that start together must all come up, once. */

const temporalAddress = process.env.TEST_TEMPORAL_ADDRESS!;
const KEYWORD = 2;
const TEXT = 1;

function processEnv(db: TestDatabase, overrides: Record<string, string> = {}): Record<string, string> {
  const env = testEnv({ DATABASE_URL: db.url, TEMPORAL_TASK_QUEUE: `replicas-${randomBytes(4).toString('hex')}`, ...overrides });
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** A namespace of its own on the test server, so what the workers set up is seen from nothing. */
async function newNamespace(connection: Connection): Promise<string> {
  const namespace = `replicas-${randomBytes(4).toString('hex')}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  for (;;) {
    try {
      await connection.workflowService.describeNamespace({ namespace });
      return namespace;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function readiness(process: ServiceProcess): Promise<{ name: string; status: number; body: unknown }> {
  const response = await fetch(`${process.url}/ready`);
  return { name: process.name, status: response.status, body: await response.json() };
}

const lines = (processes: Processes, message: string) =>
  [...processes.apis, ...processes.workers].flatMap((p) => p.output().split('\n')).filter((line) => line.includes(message));

describe('replicas starting together', () => {
  let connection: Connection;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    connection = await Connection.connect({ address: temporalAddress });
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await connection.close();
  });

  it('three APIs on an empty database: one migrates, the others wait, all serve', async () => {
    const db = await createTestDatabase({ empty: true });
    cleanups.push(() => db.drop());
    const processes = await startProcesses(processEnv(db), { apis: 3, workers: 0 });
    cleanups.push(() => processes.stop());

    for (const api of processes.apis) {
      expect(await readiness(api)).toEqual({ name: api.name, status: 200, body: { status: 'ready', database: 'up', temporal: 'up', migrations: 'applied' } });
    }
    const applied: { name: string }[] = await db.dataSource.query(`SELECT name FROM schema_migrations`);
    expect(applied.map((m) => m.name).sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
    // each migration was applied by exactly one process, and one super admin was created
    expect(lines(processes, 'migration applied')).toHaveLength(MIGRATIONS.length);
    expect(await db.dataSource.query(`SELECT email FROM admin_users WHERE role = 'super_admin'`)).toEqual([{ email: 'root@example.com' }]);
  }, 300_000);

  it('two workers on a new namespace: the search attributes and the reconciliation schedule exist once, both poll', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const namespace = await newNamespace(connection);
    const env = processEnv(db, { TEMPORAL_NAMESPACE: namespace });
    const processes = await startProcesses(env, { apis: 0, workers: 2 });
    cleanups.push(() => processes.stop());

    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    expect(Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, customAttributes?.[key.name]]))).toEqual(
      Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, KEYWORD])),
    );
    const client = new Client({ connection, namespace });
    const schedules: string[] = [];
    for await (const schedule of client.schedule.list()) schedules.push(schedule.scheduleId);
    expect(schedules).toEqual([RECONCILE_SCHEDULE_ID]);
    expect((await client.schedule.getHandle(RECONCILE_SCHEDULE_ID).describe()).action.taskQueue).toBe(env.TEMPORAL_TASK_QUEUE);
    for (const worker of processes.workers) {
      expect(await readiness(worker)).toEqual({ name: worker.name, status: 200, body: { status: 'ready', database: 'up', temporal: 'up', worker: 'up' } });
    }
  }, 300_000);

  it('a worker moves the schedule to its task queue, and refuses a search attribute of another type', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const namespace = await newNamespace(connection);
    const first = await startWorkerProcess(processEnv(db, { TEMPORAL_NAMESPACE: namespace }));
    await first.stop();
    const env = processEnv(db, { TEMPORAL_NAMESPACE: namespace });
    const second = await startWorkerProcess(env);
    cleanups.push(() => second.stop());
    const client = new Client({ connection, namespace });
    expect((await client.schedule.getHandle(RECONCILE_SCHEDULE_ID).describe()).action.taskQueue).toBe(env.TEMPORAL_TASK_QUEUE);

    const other = await newNamespace(connection);
    await connection.operatorService.addSearchAttributes({ namespace: other, searchAttributes: { CompanyId: TEXT } });
    await expect(startWorkerProcess(processEnv(db, { TEMPORAL_NAMESPACE: other }))).rejects.toThrow(
      /search attributes CompanyId exist in namespace .* with another type than Keyword/,
    );
  }, 300_000);
});

describe('two APIs and two workers on one database and one Temporal', () => {
  let s: TestStack;
  let processes: Processes;
  const PER_KEY = 20;
  beforeAll(async () => {
    s = await startStack({ worker: false });
    processes = await startProcesses({ ...s.env, RATE_LIMIT_PER_KEY_PER_MINUTE: String(PER_KEY) }, { apis: 2, workers: 2 });
  }, 300_000);
  afterAll(async () => {
    await processes?.stop();
    await s?.close();
  });

  /** A router of its own for each test: a router has one active key at a time. */
  const newRouter = () => createRouter(s.db.dataSource, s.secrets, s.company.id);
  const catalog = (api: ServiceProcess, apiKey: string) =>
    fetch(`${api.url}/api/v1/catalogo_perfiles_venta`, { headers: { authorization: `Bearer ${apiKey}` } });

  it('sells through both APIs, each purchase charged, provisioned and recorded once', async () => {
    const sold = await Promise.all(
      processes.apis.map(async (api) => {
        const response = await fetch(`${api.url}/api/v1/payments/pagar-conekta`, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ producto_id: s.product.id, token_tarjeta: cardToken('approved'), nombre_cliente: 'Ana', email_cliente: 'ana@example.com' }),
        });
        expect(response.status).toBe(200);
        return (await response.json()) as { id_compra: string; usuario_hotspot: { usuario: string } };
      }),
    );
    expect(new Set(sold.map((p) => p.id_compra)).size).toBe(2);
    for (const { id_compra: id, usuario_hotspot: access } of sold) {
      expect(await s.db.dataSource.getRepository(PurchaseEntity).findOneByOrFail({ id })).toMatchObject({ status: 'active' });
      expect(s.conekta.chargesFor(id)).toHaveLength(1);
      expect(s.router.state.list('/ip/hotspot/user').filter((u) => u.name === access.usuario)).toHaveLength(1);
      expect(routerUser(s, access.usuario)?.disabled).toBe('false');
    }
  }, 120_000);

  it('refuses a key revoked through one API on the other within a second', async () => {
    const router = await newRouter();
    const key = await issueKey(s.db.dataSource, s.config, router);
    const [first, second] = processes.apis;
    expect((await catalog(second, key.apiKey)).status).toBe(200); // now in the second's cache
    const admin = await createAdmin(s.db.dataSource, { role: 'super_admin' });
    const login = await fetch(`${first.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const revoked = await fetch(`${first.url}/admin/empresas/${s.company.id}/routers/${router.id}/api-keys/${key.keyId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(revoked.status).toBe(200);
    const start = Date.now();
    while ((await catalog(second, key.apiKey)).status !== 401) {
      expect(Date.now() - start).toBeLessThan(1_000);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }, 60_000);

  it('holds the per-key limit across both APIs', async () => {
    const key = await issueKey(s.db.dataSource, s.config, await newRouter());
    const statuses: number[] = [];
    for (let i = 0; i < PER_KEY + 4; i++) statuses.push((await catalog(processes.apis[i % 2], key.apiKey)).status);
    expect(statuses).toEqual([...Array(PER_KEY).fill(200), 429, 429, 429, 429]);
    const limited = await catalog(processes.apis[0], key.apiKey);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toEqual({ detail: expect.stringMatching(/^Demasiadas solicitudes/) });
  }, 60_000);
});
