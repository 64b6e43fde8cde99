import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../db/data-source';
import { ConfigError, parseConfig, type Config } from '../shared/config';
import { maskPassword, summary, writeDemoFile, type DemoInfo } from './dev/demo';
import { DevEnvironment } from './dev/env';
import { portFree, tcpReachable } from './dev/net';
import { startChildService, type ChildService, type Exit } from './dev/processes';
import { PORTAL_PREVIEW_PORT, startPortalPreview } from './dev/portal-preview';
import { SANDBOX_PORTS, SANDBOX_ROUTER_NETWORKS, startSandbox, type Sandbox } from './dev/sandbox';
import { sandboxSeedInput, seedDemo, type DemoData } from './dev/seed';
import { ensureDatabase, startPostgres } from './lib/postgres';
import { findTemporalCli, startTemporalDevServer } from './lib/temporal';

/**
 * `npm run dev`: the whole system on this machine, with no external service.
 *
 * - PostgreSQL: embedded (data in .dev/pgdata, port 54329) unless DATABASE_URL is set.
 * - Temporal: `temporal server start-dev` (127.0.0.1:7233, Web UI on 8233, SQLite in .dev/temporal.db) unless
 *   TEMPORAL_ADDRESS is set. The CLI is installed into .tools/ when missing.
 * - Sandbox: unless SANDBOX=false, a simulated router and the Conekta, Mercado Pago and Telegram simulators run in
 *   this process, the gateway base URLs point at them, and a demo company, router, products and API key are seeded.
 *   With SANDBOX=false nothing is simulated or seeded and the configured gateway URLs are used.
 * - Secrets nobody set are generated once into .dev/dev.env; the real environment and .env always win.
 * - The worker and the API run as child processes; `.dev/demo.json` tells how to reach everything.
 * Ctrl-C (or SIGTERM) stops the children first, then the simulators, Temporal and PostgreSQL.
 */

const PORTS = { postgres: 54329, temporal: 7233, temporalUi: 8233 };
const DATABASE_NAME = 'pagos_hotspot';
const CHILD_GRACE_MS = 10_000;
const READY_TIMEOUT_MS = 120_000;
const WORKER_READY_TIMEOUT_MS = 60_000;
/** HOST values the API is reached at through 127.0.0.1. */
const LOCAL_HOSTS = new Set(['0.0.0.0', '::', '127.0.0.1', 'localhost']);

const say = (text: string) => console.log(`[dev] ${text}`);
const print = (name: string, text: string) => {
  for (const line of text.replace(/\n+$/, '').split('\n')) console.log(`[${name}] ${line}`);
};
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const describeExit = ({ code, signal }: Exit) => (signal ? `signal ${signal}` : `code ${code}`);
/** `file` relative to `root` when it is inside, else absolute. */
const inside = (root: string, file: string) => (file.startsWith(`${root}${path.sep}`) ? path.relative(root, file) : file);

/** Why the stack stops: a signal (code 0), a failure or a part that died (1), bad configuration (78). */
interface StopReason {
  code: number;
  message: string;
}

class StopRequested extends Error {}

type Phase = 'processes' | 'simulators' | 'temporal' | 'postgres';
const SHUTDOWN_ORDER: Phase[] = ['processes', 'simulators', 'temporal', 'postgres'];

/** What has been started, stopped phase by phase (the parts of one phase together); plus how a stop is asked for. */
class Stack {
  readonly children: ChildService[] = [];
  readonly stopRequested: Promise<StopReason>;
  requestStop!: (reason: StopReason) => void;
  private requested = false;
  private readonly parts = new Map<Phase, { name: string; stop: () => Promise<void> }[]>();
  private stopped?: Promise<boolean>;

  constructor() {
    this.stopRequested = new Promise<StopReason>((resolve) => (this.requestStop = resolve));
    void this.stopRequested.then(() => (this.requested = true));
  }

  /** Throws StopRequested once a stop was asked for: start-up checks between steps. */
  checkpoint(): void {
    if (this.requested) throw new StopRequested();
  }

  get stopping(): boolean {
    return this.stopped !== undefined;
  }

  add(phase: Phase, name: string, stop: () => Promise<void>): void {
    this.parts.set(phase, [...(this.parts.get(phase) ?? []), { name, stop }]);
  }

  /** A part of the stack that ends on its own stops everything. */
  watch(name: string, exit: Promise<string>): void {
    void exit.then((how) => {
      if (!this.stopping) this.requestStop({ code: 1, message: `${name} exited unexpectedly (${how}): stopping the stack` });
    });
  }

  /** Resolves to whether anything had been started. */
  stop(): Promise<boolean> {
    this.stopped ??= (async () => {
      const anything = this.parts.size > 0;
      for (const phase of SHUTDOWN_ORDER) {
        const parts = this.parts.get(phase) ?? [];
        this.parts.delete(phase);
        await Promise.all(
          parts.map((part) => part.stop().catch((error: unknown) => say(`could not stop ${part.name}: ${messageOf(error)}`))),
        );
      }
      return anything;
    })();
    return this.stopped;
  }
}

function projectRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error('package.json not found above this script');
}

/** What this run starts and with which settings. */
interface Plan {
  root: string;
  devDir: string;
  env: DevEnvironment;
  sandbox: boolean;
  embeddedDatabase: boolean;
  embeddedTemporal: boolean;
  config: Config;
  /** The real environment plus what the children need beyond it (they read .env themselves, never overriding it). */
  childEnv: NodeJS.ProcessEnv;
  apiUrl: string;
}

/** SANDBOX, spelt as the configuration's booleans; unset means on. */
function parseSandbox(raw: string | undefined): { enabled: boolean; problem?: string } {
  const value = (raw ?? '').trim().toLowerCase();
  if (['false', '0', 'no', 'off'].includes(value)) return { enabled: false };
  if (['', 'true', '1', 'yes', 'on'].includes(value)) return { enabled: true };
  return { enabled: true, problem: `SANDBOX must be true or false (got "${raw}")` };
}

/** parseConfig, with the dev stack's own problems in the same one message. */
function validate(env: Record<string, string | undefined>, ownProblems: string[]): Config {
  let problems = ownProblems;
  try {
    const config = parseConfig(env);
    if (problems.length === 0) return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = [...problems, ...error.problems];
  }
  throw new ConfigError(problems);
}

function plan(root: string): Plan {
  const devDir = path.join(root, '.dev');
  mkdirSync(devDir, { recursive: true });
  const env = DevEnvironment.load(root, devDir);
  const sandbox = parseSandbox(env.configured.SANDBOX);
  const embeddedDatabase = !env.isSet('DATABASE_URL');
  const embeddedTemporal = !env.isSet('TEMPORAL_ADDRESS');

  const overrides: Record<string, string> = { ...env.generatedConfig() };
  if (embeddedDatabase) {
    const password = encodeURIComponent(env.dev('DEV_POSTGRES_PASSWORD'));
    overrides.DATABASE_URL = `postgresql://postgres:${password}@127.0.0.1:${PORTS.postgres}/${DATABASE_NAME}`;
  }
  if (embeddedTemporal) overrides.TEMPORAL_ADDRESS = `127.0.0.1:${PORTS.temporal}`;
  // Validated up front, every problem in one message, as the services would; HOST and PORT give the API's URL.
  const { HOST, PORT } = validate({ ...env.configured, ...overrides }, sandbox.problem ? [sandbox.problem] : []);
  const apiUrl = `http://${LOCAL_HOSTS.has(HOST) ? '127.0.0.1' : HOST}:${PORT}`;
  // By address: `localhost` may resolve to ::1, where the API does not listen.
  if (!env.isSet('PUBLIC_BASE_URL')) overrides.PUBLIC_BASE_URL = apiUrl;
  if (sandbox.enabled) {
    const simulated = {
      CONEKTA_API_BASE_URL: `http://127.0.0.1:${SANDBOX_PORTS.conekta}`,
      MERCADO_PAGO_API_BASE_URL: `http://127.0.0.1:${SANDBOX_PORTS.mercadoPago}`,
      TELEGRAM_API_BASE_URL: `http://127.0.0.1:${SANDBOX_PORTS.telegram}`,
      CONEKTA_TOKENIZER_URL: `http://127.0.0.1:${SANDBOX_PORTS.conekta}/v1.0/js/conekta-checkout.min.js`,
      MERCADO_PAGO_SDK_URL: `http://127.0.0.1:${SANDBOX_PORTS.mercadoPago}/js/v2`,
      ROUTER_API_SOURCE_ADDRESSES: '127.0.0.1',
    };
    for (const name of Object.keys(simulated)) {
      if (env.isSet(name)) say(`${name} from ${env.sourceOf(name)} is replaced by its simulator (SANDBOX=false keeps it)`);
    }
    Object.assign(overrides, simulated);
    // The simulated router is on loopback, which the production default refuses.
    if (!env.isSet('ROUTER_ALLOWED_NETWORKS')) overrides.ROUTER_ALLOWED_NETWORKS = SANDBOX_ROUTER_NETWORKS;
    else say(`ROUTER_ALLOWED_NETWORKS from ${env.sourceOf('ROUTER_ALLOWED_NETWORKS')} is kept: the demo router (127.0.0.1) works only if it allows it`);
  }
  return {
    root,
    devDir,
    env,
    sandbox: sandbox.enabled,
    embeddedDatabase,
    embeddedTemporal,
    config: parseConfig({ ...env.configured, ...overrides }),
    childEnv: { ...process.env, ...overrides },
    apiUrl,
  };
}

/** Fails with one message naming every fixed port that is taken, and by what it would be used. */
async function checkPorts(p: Plan): Promise<void> {
  const local = (port: number, what: string) => ({ host: '127.0.0.1', port, what });
  const wanted = [
    ...(p.embeddedDatabase ? [local(PORTS.postgres, 'embedded PostgreSQL')] : []),
    ...(p.embeddedTemporal ? [local(PORTS.temporal, 'Temporal dev server'), local(PORTS.temporalUi, 'Temporal Web UI')] : []),
    ...(p.sandbox
      ? [
          local(SANDBOX_PORTS.router, 'router simulator'),
          local(SANDBOX_PORTS.routerView, 'router simulator view'),
          local(SANDBOX_PORTS.conekta, 'Conekta simulator'),
          local(SANDBOX_PORTS.mercadoPago, 'Mercado Pago simulator'),
          local(SANDBOX_PORTS.telegram, 'Telegram simulator'),
          local(PORTAL_PREVIEW_PORT, 'portal preview (simulated hotspot)'),
        ]
      : []),
    { host: p.config.HOST, port: p.config.PORT, what: 'API (PORT)' },
    { host: p.config.HOST, port: p.config.WORKER_METRICS_PORT, what: "worker's metrics (WORKER_METRICS_PORT)" },
  ];
  const taken: string[] = [];
  for (const { host, port, what } of wanted) {
    if (!(await portFree(host, port))) taken.push(`  - ${host}:${port} (${what})`);
  }
  if (taken.length > 0) {
    throw new Error(
      `these ports are already in use:\n${taken.join('\n')}\n` +
        'Is another `npm run dev` running? `ss -ltnp` shows who owns them. Setting DATABASE_URL, TEMPORAL_ADDRESS, ' +
        'SANDBOX=false, PORT or WORKER_METRICS_PORT skips the embedded PostgreSQL, Temporal, the simulators or moves ' +
        'the API or the worker.',
    );
  }
}

async function checkExternalTemporal(p: Plan): Promise<void> {
  const address = p.config.TEMPORAL_ADDRESS;
  const colon = address.lastIndexOf(':');
  if (await tcpReachable(address.slice(0, colon), Number(address.slice(colon + 1)))) return;
  throw new Error(
    `Temporal is not reachable at ${address} (TEMPORAL_ADDRESS from ${p.env.sourceOf('TEMPORAL_ADDRESS')}); unset it to use the embedded dev server`,
  );
}

function ensureTemporalCli(root: string): void {
  try {
    findTemporalCli();
    return;
  } catch {
    say('Temporal CLI not found: installing it into .tools/ (scripts/install-tools.sh)…');
  }
  const install = spawnSync('bash', [path.join(root, 'scripts', 'install-tools.sh')], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error('installing the Temporal CLI failed (see above); or set TEMPORAL_CLI_PATH');
  findTemporalCli();
}

/** PostgreSQL, Temporal and the simulators, side by side; whatever started is stopped even if another part failed. */
async function startServices(p: Plan, stack: Stack): Promise<Sandbox | undefined> {
  const startDatabase = async () => {
    const server = await startPostgres({
      dataDir: path.join(p.devDir, 'pgdata'),
      port: PORTS.postgres,
      password: p.env.dev('DEV_POSTGRES_PASSWORD'),
      detached: true,
    }).catch((error: unknown) => {
      throw new Error(`embedded PostgreSQL: ${messageOf(error)}. To start over, delete .dev/ and that data folder.`);
    });
    stack.add('postgres', 'PostgreSQL', () => server.stop());
    stack.watch('PostgreSQL', server.exited.then((code) => `code ${code}`));
    await ensureDatabase(server.url, DATABASE_NAME);
    say(`PostgreSQL on 127.0.0.1:${server.port}, data in ${inside(p.root, server.dataDir)}`);
  };
  const startTemporal = async () => {
    const server = await startTemporalDevServer({
      port: PORTS.temporal,
      uiPort: PORTS.temporalUi,
      dbFile: path.join(p.devDir, 'temporal.db'),
      namespace: p.config.TEMPORAL_NAMESPACE,
      detached: true,
      // Its shutdown is chatty (pollers failing as it closes); what it says while running is worth seeing.
      log: (text) => {
        if (!stack.stopping) print('temporal', text);
      },
    });
    stack.add('temporal', 'Temporal', () => server.stop());
    stack.watch('Temporal', server.exited.then((code) => `code ${code}`));
    say(`Temporal on ${server.address}, Web UI ${server.uiUrl}`);
  };
  const startSimulators = async () => {
    const sandbox = await startSandbox({
      apiUrl: p.apiUrl,
      routerPassword: p.env.dev('DEV_ROUTER_API_PASSWORD'),
      mercadoPagoWebhookSecret: p.env.dev('DEV_MERCADO_PAGO_WEBHOOK_SECRET'),
      started: (name, close) => stack.add('simulators', name, close),
    });
    say(`sandbox: simulated router, Conekta, Mercado Pago and Telegram on 127.0.0.1 (SANDBOX=false turns it off)`);
    return sandbox;
  };
  const [database, temporal, sandbox] = await Promise.allSettled([
    p.embeddedDatabase ? startDatabase() : undefined,
    p.embeddedTemporal ? startTemporal() : undefined,
    p.sandbox ? startSimulators() : undefined,
  ]);
  for (const result of [database, temporal, sandbox]) if (result.status === 'rejected') throw result.reason;
  return sandbox.status === 'fulfilled' ? sandbox.value : undefined;
}

/** Migrations (the API runs them too; an advisory lock serialises the two), then the demo data when the sandbox runs. */
async function prepareDatabase(p: Plan, sandbox: Sandbox | undefined): Promise<DemoData | undefined> {
  const { config, env } = p;
  const dataSource = await openDatabase({ url: config.DATABASE_URL, poolSize: 2, applicationName: 'pagos-hotspot-dev' }, true).catch(
    (error: unknown) => {
      const where = p.embeddedDatabase
        ? 'the embedded PostgreSQL'
        : `${maskPassword(config.DATABASE_URL)} (DATABASE_URL from ${env.sourceOf('DATABASE_URL')})`;
      throw new Error(`cannot open or migrate ${where}: ${messageOf(error)}`);
    },
  );
  try {
    if (!sandbox) return undefined;
    const demo = await seedDemo(dataSource, { ...sandboxSeedInput(config, env, sandbox), storedApiKey: env.stored('DEV_ROUTER_API_KEY') });
    if (!demo.apiKey.reused) env.store('DEV_ROUTER_API_KEY', demo.apiKey.value);
    say(`demo data: company ${demo.company.id}, router ${demo.routerId}, ${demo.products.length} products, API key ${demo.apiKey.reused ? 'reused' : 'issued'}`);
    return demo;
  } finally {
    await dataSource.destroy();
  }
}

async function waitForHealth(apiUrl: string, stack: Stack): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  for (;;) {
    stack.checkpoint();
    try {
      const response = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(3_000) });
      const health = (await response.json()) as { database?: string; temporal?: string };
      if (health.database === 'up' && health.temporal === 'up') return;
      last = `database ${health.database}, temporal ${health.temporal}`;
    } catch (error) {
      last = messageOf(error);
    }
    if (Date.now() > deadline) throw new Error(`the API was not healthy within ${READY_TIMEOUT_MS / 1000} s (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** The worker and the API; resolves once /health reports the database and Temporal up and the worker polls. */
async function startApplication(p: Plan, stack: Stack): Promise<void> {
  const start = (name: string, script: string) => {
    const child = startChildService(name, path.join(p.root, 'dist', script), { cwd: p.root, env: p.childEnv, print });
    stack.children.push(child);
    stack.add('processes', name, () => child.stop(CHILD_GRACE_MS));
    stack.watch(`the ${name}`, child.exited.then(describeExit));
    return child;
  };
  const worker = start('worker', 'worker/main.js');
  start('api', 'api/server.js');
  const workerRunning = worker.waitForMessage((message) => message === 'worker running');
  const ready = async () => {
    await waitForHealth(p.apiUrl, stack);
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), WORKER_READY_TIMEOUT_MS).unref());
    if ((await Promise.race([workerRunning, timeout])) === 'timeout') say('the worker has not reported "worker running" yet');
  };
  const readiness = ready();
  readiness.catch(() => undefined); // it may fail after losing the race to a stop, when its outcome no longer matters
  await Promise.race([readiness, stack.stopRequested]);
}

async function up(stack: Stack): Promise<void> {
  const started = Date.now();
  const p = plan(projectRoot());
  if (!p.embeddedTemporal) await checkExternalTemporal(p);
  await checkPorts(p);
  if (p.embeddedTemporal) ensureTemporalCli(p.root);
  stack.checkpoint();
  const sandbox = await startServices(p, stack);
  stack.checkpoint();
  const demo = await prepareDatabase(p, sandbox);
  stack.checkpoint();
  const preview = sandbox && demo ? await startPortalPreview(p.config, sandbox, demo, path.join(p.devDir, 'portal'), PORTAL_PREVIEW_PORT) : undefined;
  if (preview) stack.add('simulators', 'portal preview', () => preview.hotspot.close());
  await startApplication(p, stack);
  stack.checkpoint();

  const { config, env } = p;
  const info: DemoInfo = {
    apiBaseUrl: p.apiUrl,
    workerMetricsUrl: `http://${LOCAL_HOSTS.has(config.HOST) ? '127.0.0.1' : config.HOST}:${config.WORKER_METRICS_PORT}/metrics`,
    temporalUiUrl: p.embeddedTemporal ? `http://127.0.0.1:${PORTS.temporalUi}` : null,
    superAdmin: { email: config.SUPER_ADMIN_INITIAL_EMAIL, password: config.SUPER_ADMIN_INITIAL_PASSWORD },
    databaseUrl: p.embeddedDatabase ? config.DATABASE_URL : maskPassword(config.DATABASE_URL),
    sandbox: demo && {
      demo,
      companyAdmin: { email: env.dev('DEV_COMPANY_ADMIN_EMAIL'), password: env.dev('DEV_COMPANY_ADMIN_PASSWORD') },
      routerPassword: env.dev('DEV_ROUTER_API_PASSWORD'),
      portalPreviewUrl: preview?.url ?? null,
    },
  };
  const demoFile = path.join(p.devDir, 'demo.json');
  writeDemoFile(demoFile, info);
  console.log(
    summary(info, {
      generatedSuperAdmin: env.isGenerated('SUPER_ADMIN_INITIAL_PASSWORD'),
      seconds: (Date.now() - started) / 1000,
      demoFile: inside(p.root, demoFile),
    }),
  );
}

async function main(): Promise<number> {
  const stack = new Stack();
  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      signals += 1;
      if (signals === 1) {
        say(`${signal}: stopping…`);
        stack.requestStop({ code: 0, message: 'stopped' });
      } else {
        say('stopping the API and the worker at once (SIGKILL)');
        for (const child of stack.children) child.kill();
      }
    });
  }
  // The children and servers run in their own process groups: an uncaught error must still stop them.
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (error: unknown) => {
      say(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      stack.requestStop({ code: 1, message: 'stopped after an unexpected error' });
    });
  }

  let reason: StopReason;
  try {
    await up(stack);
    reason = await stack.stopRequested;
  } catch (error) {
    if (error instanceof StopRequested) reason = await stack.stopRequested;
    else if (error instanceof ConfigError) reason = { code: 78, message: error.message };
    else reason = { code: 1, message: `failed: ${messageOf(error)}` };
  }
  if (reason.code !== 0) say(reason.message);
  if (await stack.stop()) say('everything stopped');
  return reason.code;
}

void main().then((code) => process.exit(code));
