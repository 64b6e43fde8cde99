import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../db/data-source';
import { parseConfig, type Config } from '../../shared/config';
import { DevEnvironment } from '../../scripts/dev/env';
import { startChildService, type ChildService } from '../../scripts/dev/processes';
import { SANDBOX_ROUTER_NETWORKS, startSandbox, type Sandbox, type SandboxPorts } from '../../scripts/dev/sandbox';
import { sandboxSeedInput, seedDemo, type DemoData } from '../../scripts/dev/seed';
import { freePort } from '../../shared/ports';
import { ensureDatabase, startPostgres } from '../../scripts/lib/postgres';
import { startTemporalDevServer } from '../../scripts/lib/temporal';

/**
 * The `npm run dev` stack for one benchmark, built from the same helpers: an embedded PostgreSQL and a Temporal dev
 * server (SQLite file) in a temporary folder, the simulators in this process (so a benchmark reads their counters and
 * state directly), the demo seed, then the worker and the API as child processes from `dist/`. Every port is free
 * at start, so a benchmark runs beside `npm run dev`; `stop()` ends everything and deletes the folder.
 */

export interface BenchStack {
  apiUrl: string;
  apiKey: string;
  config: Config;
  demo: DemoData;
  /** The demo company's admin (email, password), for the admin API. */
  companyAdmin: { email: string; password: string };
  sandbox: Sandbox;
  /** A small pool of the benchmark's own (product changes, reading purchases back). */
  db: DataSource;
  /** Process groups by component, for memory and CPU sampling. */
  groups: { api: number; worker: number; postgres: number; temporal: number };
  /**
   * SQL statements the API and the worker have run so far, by normalized statement text (pg_stat_statements; BEGIN
   * and COMMIT count as one each).
   */
  sqlStatementsByText(): Promise<Map<string, number>>;
  /** The API processes of `StackOptions.extraApis`, by name. */
  extraApis: Record<string, { url: string; pid: number }>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Extra configuration for the API and the worker (e.g. raised rate limits); benchmarks record what they set. */
  env?: Record<string, string>;
  /** Temporal's SQLite in memory instead of a file (`npm run dev` uses a file): shows what its persistence costs. */
  temporalInMemory?: boolean;
  /** More API processes beside the first, by name, each with configuration of its own on top of `env` (to compare settings side by side). */
  extraApis?: Record<string, Record<string, string>>;
  /**
   * A folder for CPU profiles of the API and the worker (`--cpu-prof`: one `.cpuprofile` per JavaScript thread, the
   * worker's workflow thread included, in `<folder>/<name>/`, written when the stack stops); open them in Chrome
   * DevTools or summarise them with `node dist/bench/profile-summary.js`.
   */
  profileDir?: string;
}

const DATABASE_NAME = 'pagos_hotspot';
const READY_TIMEOUT_MS = 120_000;
const root = path.resolve(__dirname, '..', '..', ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []));
const LOUD = / (WARN|ERROR|FATAL) /;

export async function startBenchStack(options: StackOptions = {}): Promise<BenchStack> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pagos-hotspot-bench-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as the `postgres` OS user when we are root
  const stops: (() => Promise<unknown>)[] = [];
  // The servers and children run in their own process groups: Ctrl-C must still stop them.
  const interrupted = () => void stopAll().finally(() => process.exit(130));
  const stopAll = async () => {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const env = DevEnvironment.load(root, dir); // generated secrets, kept in the temporary folder
    const [pgPort, temporalPort, apiPort, workerPort, router, routerView, conekta, mercadoPago, telegram] = await Promise.all(
      Array.from({ length: 9 }, () => freePort()),
    );
    const ports: SandboxPorts = { router, routerView, conekta, mercadoPago, telegram };
    const apiUrl = `http://127.0.0.1:${apiPort}`;

    // Whatever started is stopped, last started first, even when another part fails to start.
    const started = <T extends { stop(): Promise<void> }>(server: T) => {
      stops.push(() => server.stop());
      return server;
    };
    const [postgres, temporal, sandbox] = await Promise.all([
      startPostgres({
        dataDir: path.join(dir, 'pgdata'),
        port: pgPort,
        password: env.dev('DEV_POSTGRES_PASSWORD'),
        detached: true,
        preload: ['pg_stat_statements'],
      }).then(started),
      startTemporalDevServer({
        port: temporalPort,
        dbFile: options.temporalInMemory ? undefined : path.join(dir, 'temporal.db'),
        detached: true,
      }).then(started),
      startSandbox({
        apiUrl,
        routerPassword: env.dev('DEV_ROUTER_API_PASSWORD'),
        mercadoPagoWebhookSecret: env.dev('DEV_MERCADO_PAGO_WEBHOOK_SECRET'),
        started: (_name, close) => stops.push(close),
        ports,
      }),
    ]);

    const overrides: Record<string, string> = {
      ...env.generatedConfig(),
      DATABASE_URL: await ensureDatabase(postgres.url, DATABASE_NAME),
      TEMPORAL_ADDRESS: temporal.address,
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      WORKER_METRICS_PORT: String(workerPort),
      PUBLIC_BASE_URL: apiUrl,
      CONEKTA_API_BASE_URL: sandbox.conekta.url,
      MERCADO_PAGO_API_BASE_URL: sandbox.mercadoPago.url,
      TELEGRAM_API_BASE_URL: sandbox.telegram.url,
      ROUTER_ALLOWED_NETWORKS: SANDBOX_ROUTER_NETWORKS,
      ...options.env,
    };
    const config = parseConfig({ ...env.configured, ...overrides });
    const db = await openDatabase({ url: config.DATABASE_URL, poolSize: 4, applicationName: 'pagos-hotspot-bench' }, true);
    stops.push(() => db.destroy());
    const seed = sandboxSeedInput(config, env, sandbox);
    const demo = await seedDemo(db, seed);
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');

    // Warnings, errors and anything that is not a log line (a crash's stack); the rest would drown the results.
    const print = (name: string, text: string) => {
      if (LOUD.test(text) || !/^\d\d:\d\d:\d\d /.test(text)) console.log(`[${name}] ${text}`);
    };
    const childEnv = { ...process.env, ...overrides };
    const start = (name: string, script: string, env: Record<string, string> = {}): ChildService => {
      const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.profileDir, name)}`] : [];
      const child = startChildService(name, path.join(root, 'dist', script), { cwd: root, env: { ...childEnv, ...env }, print, nodeArgs });
      stops.push(() => child.stop(10_000));
      return child;
    };
    const worker = start('worker', 'worker/main.js');
    const workerRunning = worker.waitForMessage((message) => message === 'worker running');
    const api = start('api', 'api/server.js');
    const extraApis: BenchStack['extraApis'] = {};
    const extraChildren: ChildService[] = [];
    for (const [name, env] of Object.entries(options.extraApis ?? {})) {
      const port = await freePort();
      const child = start(name, 'api/server.js', { ...env, PORT: String(port) });
      extraChildren.push(child);
      extraApis[name] = { url: `http://127.0.0.1:${port}`, pid: child.pid };
    }
    const died = Promise.race(
      [worker, api, ...extraChildren].map((child) => child.exited.then(({ code, signal }) => Promise.reject(new Error(`the ${child.name} exited (${signal ?? code})`)))),
    );
    const healthy = [apiUrl, ...Object.values(extraApis).map((extra) => extra.url)].map(waitForHealth);
    await Promise.race([Promise.all([...healthy, withTimeout(workerRunning, 'the worker did not start')]), died]);
    died.catch(() => undefined); // once running, a child that ends is seen in the benchmark's errors

    return {
      apiUrl,
      apiKey: demo.apiKey.value,
      config,
      demo,
      companyAdmin: seed.companyAdmin,
      sandbox,
      db,
      groups: { api: api.pid, worker: worker.pid, postgres: postgres.pid, temporal: temporal.pid },
      extraApis,
      sqlStatementsByText: () => sqlStatementsByText(db),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Statements run in the service's database so far, by text (the counting query left out). The benchmark's own pool
 * runs nothing while a phase is measured, so a phase's difference is what the API and the worker ran.
 */
async function sqlStatementsByText(db: DataSource): Promise<Map<string, number>> {
  const rows = await db.query<{ query: string; calls: string }[]>(
    `SELECT query, sum(calls) AS calls FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND query NOT ILIKE '%pg_stat_statements%'
      GROUP BY query`,
  );
  return new Map(rows.map((row) => [row.query.replace(/\s+/g, ' '), Number(row.calls)]));
}

async function withTimeout(promise: Promise<void>, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), READY_TIMEOUT_MS)));
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitForHealth(apiUrl: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const health = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.json() as Promise<{ database?: string; temporal?: string }>)
      .catch(() => ({}) as { database?: string; temporal?: string });
    if (health.database === 'up' && health.temporal === 'up') return;
    if (Date.now() > deadline) throw new Error(`the API was not healthy within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
