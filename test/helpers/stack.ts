import { randomBytes } from 'node:crypto';
import { bundleWorkflowCode, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { createActivityDeps } from '../../activities/deps';
import { buildApp } from '../../api/app';
import { TemporalWorkflows } from '../../api/temporal/client';
import { RouterEntity, type CompanyEntity, type ProductEntity } from '../../db/entities';
import { ADMIN_CHANGES_CHANNEL, notify } from '../../db/notifications';
import { startConektaSimulator, type ConektaSimulator } from '../../sandbox/conekta/server';
import { startMercadoPagoSimulator, type MercadoPagoSimulator } from '../../sandbox/mercadopago/server';
import { startRouterSimulator, type RouterSimulator } from '../../sandbox/routeros/simulator';
import { startTelegramSimulator, type TelegramSimulator } from '../../sandbox/telegram/server';
import { freePort } from '../../shared/ports';
import type { Config } from '../../shared/config';
import { createLogger } from '../../shared/logger';
import { WorkerMetrics } from '../../shared/metrics';
import { SecretBox } from '../../shared/secrets';
import { createPurchaseWorker } from '../../worker/create-worker';
import { installTemporalLogger } from '../../worker/temporal-runtime';
import { testConfig, testEnv } from './config';
import { createTestDatabase, type TestDatabase } from './database';
import { createCompany, createProduct, createRouter, issueKey } from './fixtures';

/**
 * The whole system for end-to-end tests, in one process on loopback: a fresh database, the API listening on a free
 * port, a worker on the shared test Temporal server (own task queue), the router simulator and the gateway and
 * Telegram simulators, and a seeded company with one router, products and an API key.
 */
export interface TestStack {
  db: TestDatabase;
  config: Config;
  /** The environment `config` was parsed from (for child processes such as a separate worker). */
  env: Record<string, string>;
  secrets: SecretBox;
  app: FastifyInstance;
  baseUrl: string;
  workflows: TemporalWorkflows;
  router: RouterSimulator;
  conekta: ConektaSimulator;
  mercadoPago: MercadoPagoSimulator;
  telegram: TelegramSimulator;
  company: CompanyEntity;
  routerRow: RouterEntity;
  product: ProductEntity;
  apiKey: string;
  /** Stops the worker (it can be started again with startWorker, as after a crash). */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** One workflow bundle per test file: bundling takes about a second. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietBundlerLogger });
  return bundle;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => process.stderr.write(`${message}\n`),
};

export interface StackOptions {
  config?: Record<string, string>;
  routerVersion?: string;
  /** Start the worker (default true). */
  worker?: boolean;
  product?: Partial<ProductEntity>;
}

export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const routerPassword = 'router-secret';
  const [db, router, conekta, mercadoPago, telegram, port] = await Promise.all([
    createTestDatabase(),
    startRouterSimulator({ version: options.routerVersion ?? '7.18', users: { admin: routerPassword } }),
    startConektaSimulator(),
    startMercadoPagoSimulator({ webhookSecret: 'mp-webhook-secret' }),
    startTelegramSimulator(),
    freePort(),
  ]);
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    PUBLIC_BASE_URL: baseUrl,
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    CONEKTA_API_BASE_URL: conekta.url,
    MERCADO_PAGO_API_BASE_URL: mercadoPago.url,
    TELEGRAM_API_BASE_URL: telegram.url,
    CONEKTA_TOKENIZER_URL: `${conekta.url}/v1.0/js/conekta-checkout.min.js`,
    MERCADO_PAGO_SDK_URL: `${mercadoPago.url}/js/v2`,
    ROUTER_API_SOURCE_ADDRESSES: '127.0.0.1',
    ROUTER_CONNECT_TIMEOUT_SECONDS: '1',
    ROUTER_COMMAND_TIMEOUT_SECONDS: '2',
    RATE_LIMIT_PURCHASES_PER_IP_PER_MINUTE: '1000',
    RATE_LIMIT_VOUCHERS_PER_DEVICE_PER_MINUTE: '1000',
    RATE_LIMIT_VOUCHERS_PER_ROUTER_PER_MINUTE: '1000',
    ...options.config,
  };
  const config = testConfig(env);
  conekta.setWebhookUrl(`${baseUrl}/api/v1/webhook/conekta`);
  const secrets = new SecretBox(config.SECRET_KEY, config.ENCRYPTION_KEY_MERCADO_PAGO || undefined);
  const logger = createLogger({ level: config.LOG_LEVEL });
  installTemporalLogger(createLogger({ level: 'error' }));

  const company = await createCompany(db.dataSource, {
    conektaPrivateKeyEncrypted: secrets.encrypt('key_test_private'),
    conektaPublicKey: 'key_test_public',
    conektaWebhookPublicKey: conekta.publicKeyPem,
    mercadoPagoAccessTokenEncrypted: secrets.encryptMercadoPago('TEST-access-token'),
    mercadoPagoPublicKey: 'TEST-public-key',
    mercadoPagoWebhookSecretEncrypted: secrets.encryptMercadoPago(mercadoPago.webhookSecret),
    telegramEnabled: true,
    telegramBotTokenEncrypted: secrets.encrypt('123456:test-bot-token'),
    telegramChatId: '-1001',
  });
  const routerRow = await createRouter(db.dataSource, secrets, company.id, { host: router.host, port: router.port, password: routerPassword });
  const product = await createProduct(db.dataSource, routerRow, { profileName: 'default', ...options.product });
  const { apiKey } = await issueKey(db.dataSource, config, routerRow);

  const workflows = new TemporalWorkflows({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE });
  const app = await buildApp({ config, dataSource: db.dataSource, secrets, logger, workflows });
  await app.listen({ host: '127.0.0.1', port });

  // Operator notices are looked for often, so a test waiting for a Telegram message does not wait for the poll.
  const deps = createActivityDeps(config, db.dataSource, secrets, logger, new WorkerMetrics(), { pollMs: 50 });
  await deps.start();
  let running: { worker: Worker; done: Promise<void>; close(): Promise<void> } | undefined;
  const startWorker = async () => {
    const { worker, connection } = await createPurchaseWorker({
      address: config.TEMPORAL_ADDRESS,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      deps,
      workflowBundle: await workflowBundle(),
    });
    const done = worker.run();
    running = { worker, done, close: () => connection.close() };
  };
  const stopWorker = async () => {
    if (!running) return;
    const { worker, done, close } = running;
    running = undefined;
    worker.shutdown();
    await done;
    await close();
  };
  if (options.worker !== false) await startWorker();

  return {
    db,
    config,
    env: Object.fromEntries(Object.entries({ ...testEnv(env), DATABASE_URL: db.url }).filter(([, v]) => v !== undefined)) as Record<string, string>,
    secrets,
    app,
    baseUrl,
    workflows,
    router,
    conekta,
    mercadoPago,
    telegram,
    company,
    routerRow,
    product,
    apiKey,
    stopWorker,
    startWorker,
    async close() {
      await stopWorker();
      await app.close();
      await workflows.close();
      await deps.close();
      await Promise.all([router.close(), conekta.close(), mercadoPago.close(), telegram.close()]);
      await db.drop();
    },
  };
}

/** The headers of a new session of `admin`, logged in through the API. */
export async function adminSession(s: Pick<TestStack, 'app'>, admin: { email: string; password: string }): Promise<{ authorization: string }> {
  const login = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: admin.email, password: admin.password } });
  return { authorization: `Bearer ${login.json<{ access_token: string }>().access_token}` };
}

/**
 * Stores a wrong API password for the stack's router, as an admin who mistyped it would (the change announced, so the
 * worker's router cache forgets the row): the router then refuses the worker's login. Returns what puts the right one
 * back.
 */
export async function mistypeRouterPassword(s: Pick<TestStack, 'db' | 'secrets' | 'routerRow'>): Promise<() => Promise<void>> {
  const routers = s.db.dataSource.getRepository(RouterEntity);
  const store = async (apiPasswordEncrypted: string) => {
    await routers.update({ id: s.routerRow.id }, { apiPasswordEncrypted });
    await notify(s.db.dataSource, ADMIN_CHANGES_CHANNEL, 'router-keys');
  };
  const { apiPasswordEncrypted } = await routers.findOneByOrFail({ id: s.routerRow.id });
  await store(s.secrets.encrypt('not-the-router-password'));
  return () => store(apiPasswordEncrypted);
}

/** A fresh card token of a simulator scenario (`approved`, `declined`, `pending_approve`, `3ds`…). */
export function cardToken(scenario: string): string {
  return `tok_test_${scenario}_${randomBytes(6).toString('hex')}`;
}

/** Waits until `check` returns a value (not undefined/false), polling; fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
