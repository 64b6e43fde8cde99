import { parseArgs } from 'node:util';
import { startHttpView } from './http-view';
import { startRouterSimulator } from './simulator';

/**
 * Standalone simulated MikroTik router:
 *   npm run sim:router -- --port 8728 [--version 7.18] [--user admin --password admin] [--identity Name]
 *                         [--http-port 8780] [--device AA:BB:CC:DD:EE:FF=10.5.50.10 ...]
 * Listens on 127.0.0.1 only; stops on Ctrl-C.
 */

const USAGE =
  'usage: main.js --port N [--version 7.18] [--user admin --password admin] [--identity NAME] [--http-port N] ' +
  '[--device MAC=IP ...]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8728' },
      version: { type: 'string', default: '7.18' },
      user: { type: 'string', default: 'admin' },
      password: { type: 'string', default: 'admin' },
      identity: { type: 'string', default: 'MikroTik' },
      'http-port': { type: 'string' },
      device: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  const httpPort = values['http-port'] === undefined ? undefined : Number(values['http-port']);
  if (!Number.isInteger(port) || (httpPort !== undefined && !Number.isInteger(httpPort))) throw new Error(USAGE);

  const sim = await startRouterSimulator({
    port,
    version: values.version,
    identity: values.identity,
    users: { [values.user]: values.password },
  });
  for (const device of values.device) {
    const [mac, ip] = device.split('=');
    sim.attachDevice(mac, ip ?? '');
  }
  const view = httpPort === undefined ? undefined : await startHttpView(sim, httpPort);

  console.log(`RouterOS ${sim.state.version} simulator: API on ${sim.host}:${sim.port} (user ${values.user})`);
  if (view) console.log(`state and fault switches: http://127.0.0.1:${view.port}/`);

  const stop = () => {
    void Promise.all([sim.close(), view?.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
