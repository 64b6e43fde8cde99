import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { MIGRATIONS } from '../../db/migrations';
import { PAYMENTS_RECONCILE_SCHEDULE_ID, RECONCILE_SCHEDULE_ID, SEARCH_ATTRIBUTES } from '../../domain/temporal';
import { testEnv } from '../helpers/config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startProcesses, startWorkerProcess, type Processes, type ServiceProcess } from '../helpers/processes';

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

  it('two workers on a new namespace: the search attributes and the reconciliation schedules exist once, both poll', async () => {
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
    expect(schedules.sort()).toEqual([PAYMENTS_RECONCILE_SCHEDULE_ID, RECONCILE_SCHEDULE_ID]);
    for (const id of schedules) expect((await client.schedule.getHandle(id).describe()).action.taskQueue).toBe(env.TEMPORAL_TASK_QUEUE);
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
