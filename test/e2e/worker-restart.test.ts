import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { buy, purchase, routerUser, statusTrail, waitForStatus } from '../helpers/purchases';
import { eventually, startStack, type TestStack } from '../helpers/stack';

const root = path.resolve(__dirname, '../..');

/** The real worker entry point (worker/main.ts) as a separate process that can be killed. */
function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', path.join(root, 'test/helpers/register-ts.js'), path.join(root, 'worker/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 60_000);
    const watch = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker running')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', watch);
    child.stderr!.on('data', watch);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${output}`)));
  });
}

describe('a worker killed in the middle of a purchase', () => {
  let s: TestStack;
  let worker: ChildProcess | undefined;
  beforeAll(async () => {
    s = await startStack({ worker: false, config: { PURCHASE_RESPONSE_WAIT_SECONDS: '60' } });
  }, 60_000);
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await s?.close();
  });

  it('completes the purchase exactly once after a restart', async () => {
    worker = await startWorkerProcess(s.env);
    s.conekta.setLatency(3_000); // the charge is in flight when the worker dies
    const adds = s.router.stats.commands['/ip/hotspot/user/add'] ?? 0;
    const pending = buy(s, 'conekta');
    await eventually(() => (s.router.stats.commands['/ip/hotspot/user/add'] ?? 0) > adds, 20_000, 'user reserved');
    await new Promise((resolve) => setTimeout(resolve, 500));
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker!.once('exit', resolve));

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
