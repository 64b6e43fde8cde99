import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';

/**
 * Finds and runs the official Temporal CLI dev server (`temporal server start-dev`: server, SQLite, Web UI).
 * Lookup order: TEMPORAL_CLI_PATH, a `temporal` on PATH, the project-local install from `scripts/install-tools.sh`.
 */

export const SEARCH_ATTRIBUTES = {
  CompanyId: 'Keyword',
  RouterId: 'Keyword',
  PaymentGateway: 'Keyword',
  PurchaseStatus: 'Keyword',
} as const;

const projectRoot = path.resolve(__dirname, '..', '..', ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []));

export function findTemporalCli(): string {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH points to a missing file: ${fromEnv}`);
    return fromEnv;
  }
  const onPath = spawnSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const local = path.join(projectRoot, '.tools', 'venv', 'bin', 'temporal');
  if (existsSync(local)) return local;
  throw new Error('Temporal CLI not found: run `npm run tools:install` (or set TEMPORAL_CLI_PATH)');
}

export interface TemporalDevServer {
  address: string;
  uiUrl?: string;
  /** The server process; with `detached`, also the id of the process group its helpers share. */
  pid: number;
  /** Resolves with the exit code when the server process ends, whoever stopped it. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface TemporalDevServerOptions {
  port: number;
  /** Web UI port; omitted = headless. */
  uiPort?: number;
  /** SQLite file for persistence; omitted = in memory. */
  dbFile?: string;
  namespace?: string;
  log?: (line: string) => void;
  /** Own process group, so a terminal's Ctrl-C reaches only the caller, which then stops the server in order. */
  detached?: boolean;
}

export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const cli = findTemporalCli();
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(options.port),
    '--namespace', options.namespace ?? 'default',
    '--log-level', 'warn',
    '--dynamic-config-value', 'frontend.enableServerVersionCheck=false',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    '--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true',
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch'] : ['--headless']),
  ];
  const child: ChildProcess = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 50) output.shift();
    options.log?.(chunk.toString('utf8'));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + 60_000;
  while (!(await portOpen(options.port))) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('pending'), 100))]);
    if (early !== 'pending') throw new Error(`Temporal dev server exited during start-up (code ${early}):\n${output.join('')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Temporal dev server did not listen within 60 s:\n${output.join('')}`);
    }
  }
  return {
    address: `127.0.0.1:${options.port}`,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    pid: child.pid!,
    exited,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
