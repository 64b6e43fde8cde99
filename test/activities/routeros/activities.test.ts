import { createServer, type Server } from 'node:net';
import { createRouterActivities } from '../../../activities/routeros/activities';
import { RouterOsClient } from '../../../activities/routeros/client';
import { HotspotOperations } from '../../../activities/routeros/hotspot';
import { RouterCache } from '../../../activities/routeros/router-cache';
import { startRouterSimulator, type RouterSimulator } from '../../../sandbox/routeros/simulator';
import { freePort } from '../../../shared/ports';
import { RouterEndpointPolicy } from '../../../shared/router-endpoints';
import { SecretBox } from '../../../shared/secrets';
import { testConfig } from '../../helpers/config';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
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
