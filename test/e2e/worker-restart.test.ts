import { buy, purchase, routerUser, statusTrail, waitForStatus } from '../helpers/purchases';
import { startWorkerProcess, type ServiceProcess } from '../helpers/processes';
import { eventually, startStack, type TestStack } from '../helpers/stack';

describe('a worker killed in the middle of a purchase', () => {
  let s: TestStack;
  let worker: ServiceProcess | undefined;
  beforeAll(async () => {
    s = await startStack({ worker: false, config: { PURCHASE_RESPONSE_WAIT_SECONDS: '60' } });
  }, 60_000);
  afterAll(async () => {
    worker?.kill();
    await s?.close();
  });

  it('completes the purchase exactly once after a restart', async () => {
    worker = await startWorkerProcess(s.env);
    s.conekta.setLatency(3_000); // the charge is in flight when the worker dies
    const adds = s.router.stats.commands['/ip/hotspot/user/add'] ?? 0;
    const pending = buy(s, 'conekta');
    await eventually(() => (s.router.stats.commands['/ip/hotspot/user/add'] ?? 0) > adds, 20_000, 'user reserved');
    await new Promise((resolve) => setTimeout(resolve, 500));
    worker.kill();
    await worker.exited;

    worker = await startWorkerProcess(s.env);
    const response = await pending;
    expect(response.statusCode).toBe(200);
    const body = response.json();
    const row = await waitForStatus(s, body.id_compra, 'active');
    expect(s.conekta.chargesFor(row.id)).toHaveLength(1);
    expect(routerUser(s, row.hotspotUsername)).toMatchObject({ disabled: 'false' });
    expect(s.router.state.list('/ip/hotspot/user').filter((u) => u.comment === `pagos-hotspot:${row.id}`)).toHaveLength(1);
    expect(await statusTrail(s, row.id)).toEqual(['created', 'charging', 'paid', 'active']);
    expect((await purchase(s, row.id)).cardTokenEncrypted).toBeNull();
  }, 120_000);
});
