import path from 'node:path';
import { startChildService, type ChildService, type Exit } from '../../scripts/dev/processes';
import { freePort } from '../../shared/ports';

/**
 * The service's own processes as production runs them — `api/server.ts` and `worker/main.ts`, each its own Node
 * process (the sources loaded through swc, as Jest does, so no build is needed) — against the tests' PostgreSQL and
 * Temporal: for what only shows with several processes (start-up races, state replicas must share, a real worker's
 * metrics). `env` is the configuration every process gets (e.g. `TestStack.env`); each gets its own ports.
 */

const root = path.resolve(__dirname, '../..');
const NODE_ARGS = ['-r', path.join(root, 'test/helpers/register-ts.js')];
const START_TIMEOUT_MS = 120_000;

export interface ServiceProcess {
  name: string;
  /** The API's base URL; for a worker, its operations server (/metrics, /health, /ready). */
  url: string;
  /** Everything it printed so far (readable log lines), for assertions and failure messages. */
  output(): string;
  exited: Promise<Exit>;
  /** SIGINT, then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash. */
  kill(): void;
}

export interface Processes {
  apis: ServiceProcess[];
  workers: ServiceProcess[];
  stop(): Promise<void>;
}

/** One API process, resolved once it listens. */
export async function startApiProcess(env: Record<string, string>, name = 'api'): Promise<ServiceProcess> {
  const port = await freePort();
  return start(name, 'api/server.ts', { ...env, HOST: '127.0.0.1', PORT: String(port) }, 'api listening', `http://127.0.0.1:${port}`);
}

/** One worker process, resolved once it polls its task queue. */
export async function startWorkerProcess(env: Record<string, string>, name = 'worker'): Promise<ServiceProcess> {
  const port = await freePort();
  return start(name, 'worker/main.ts', { ...env, HOST: '127.0.0.1', WORKER_METRICS_PORT: String(port) }, 'worker running', `http://127.0.0.1:${port}`);
}

/** `apis` API processes and `workers` worker processes, all started at the same moment. */
export async function startProcesses(env: Record<string, string>, counts: { apis: number; workers: number }): Promise<Processes> {
  const starting = [
    ...Array.from({ length: counts.apis }, (_, i) => startApiProcess(env, `api-${i + 1}`)),
    ...Array.from({ length: counts.workers }, (_, i) => startWorkerProcess(env, `worker-${i + 1}`)),
  ];
  const results = await Promise.allSettled(starting);
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    await Promise.all(started.map((p) => p.stop()));
  };
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { apis: started.slice(0, counts.apis), workers: started.slice(counts.apis), stop };
}

async function start(name: string, script: string, env: Record<string, string>, readyMessage: string, url: string): Promise<ServiceProcess> {
  const lines: string[] = [];
  const child: ChildService = startChildService(name, path.join(root, script), {
    cwd: root,
    env: { PATH: process.env.PATH, ...env, LOG_LEVEL: 'info' },
    print: (_name, text) => lines.push(text),
    nodeArgs: NODE_ARGS,
  });
  const output = () => lines.join('\n');
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      child.waitForMessage((message) => message === readyMessage),
      child.exited.then(({ code, signal }) => Promise.reject(new Error(`${name} exited (${signal ?? code}) before it was ready:\n${output()}`))),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${name} not ready in ${START_TIMEOUT_MS / 1000} s:\n${output()}`)), START_TIMEOUT_MS))),
    ]);
  } catch (error) {
    child.kill();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { name, url, output, exited: child.exited, stop: () => child.stop(10_000), kill: () => child.kill() };
}
