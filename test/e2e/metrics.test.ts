import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parse } from 'yaml';
import { PurchaseEntity } from '../../db/entities';
import { freePort } from '../../shared/ports';
import { ApiMetrics, WorkerMetrics } from '../../shared/metrics';
import { createProduct, createRouter, issueKey } from '../helpers/fixtures';
import { startWorkerProcess, type ServiceProcess } from '../helpers/processes';
import { samples, total } from '../helpers/prometheus';
import { buy, latestPurchase, waitForStatus } from '../helpers/purchases';
import { cardToken, eventually, startStack, type TestStack } from '../helpers/stack';

/**
 * What an operator scrapes, from a real worker process (with the Temporal SDK's metrics) and the API, after purchases
 * of every outcome: the numbers add up, and no secret or personal value appears in a metric or a label.
 */
describe('metrics of the API and a worker process', () => {
  let s: TestStack;
  let worker: ServiceProcess;
  let temporal: Connection;
  const customer = { nombre_cliente: `Zoë ${randomBytes(4).toString('hex')}`, email_cliente: `metrics-${randomBytes(4).toString('hex')}@example.com` };
  const tokens: string[] = [];
  let downRouterId: string;

  const scrape = async (url: string) => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  };

  beforeAll(async () => {
    s = await startStack({ worker: false, product: { validitySeconds: 2 } });
    worker = await startWorkerProcess(s.env);
    temporal = await Connection.connect({ address: s.config.TEMPORAL_ADDRESS });
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    await temporal?.close();
    await s?.close();
  });

  const purchaseWith = async (gateway: 'conekta' | 'mercado_pago', scenario: string, options: { apiKey?: string; productId?: number } = {}) => {
    const token = cardToken(scenario);
    tokens.push(token);
    await (options.apiKey
      ? s.app.inject({
          method: 'POST',
          url: '/api/v1/payments/pagar-conekta',
          headers: { authorization: `Bearer ${options.apiKey}` },
          payload: { producto_id: options.productId, token_tarjeta: token, ...customer },
        })
      : buy(s, gateway, { token, body: customer }));
    // declined and failed answers name no purchase: the newest row is this one
    return (await latestPurchase(s))!.id;
  };

  it('counts purchases, gateway and router calls, expiries and failures', async () => {
    const sold = await purchaseWith('conekta', 'approved');
    const soldMp = await purchaseWith('mercado_pago', 'approved');
    const declined = await purchaseWith('conekta', 'declined');
    await waitForStatus(s, declined, 'declined');
    // a router nobody can reach: the purchase fails before any charge
    const down = await createRouter(s.db.dataSource, s.secrets, s.company.id, { host: '127.0.0.1', port: await freePort(), password: 'down-router-secret' });
    downRouterId = down.id;
    const product = await createProduct(s.db.dataSource, down);
    const failed = await purchaseWith('conekta', 'approved', { apiKey: (await issueKey(s.db.dataSource, s.config, down)).apiKey, productId: product.id });
    await waitForStatus(s, failed, 'failed');
    await waitForStatus(s, sold, 'expired', 30_000); // two seconds of access
    await waitForStatus(s, soldMp, 'expired', 30_000);
    // a workflow type no worker knows: its workflow task fails (as a non-deterministic change would)
    const client = new Client({ connection: temporal });
    const broken = await client.workflow.start('noSuchWorkflow', { taskQueue: s.config.TEMPORAL_TASK_QUEUE, workflowId: `metrics-${randomUUID()}` });

    const text = await eventually(async () => {
      const current = await scrape(worker.url);
      return total(current, 'temporal_workflow_task_execution_failed_total') > 0 && current;
    }, 30_000, 'the failed workflow task in the SDK metrics');
    await broken.terminate();

    expect(total(text, 'pagos_purchases_total', { gateway: 'conekta', outcome: 'active' })).toBe(1);
    expect(total(text, 'pagos_purchases_total', { gateway: 'mercado_pago', outcome: 'active' })).toBe(1);
    expect(total(text, 'pagos_purchases_total', { gateway: 'conekta', outcome: 'declined' })).toBe(1);
    expect(total(text, 'pagos_purchases_total', { gateway: 'conekta', outcome: 'failed' })).toBe(1);
    expect(total(text, 'pagos_purchase_outcome_seconds_count')).toBe(4);
    expect(total(text, 'pagos_purchase_expiry_lag_seconds_count')).toBe(2);
    expect(total(text, 'pagos_purchase_expiry_lag_seconds_bucket', { le: '60' })).toBe(2);
    expect(total(text, 'pagos_gateway_calls_total', { gateway: 'conekta', operation: 'charge' })).toBe(2);
    expect(total(text, 'pagos_gateway_calls_total', { gateway: 'mercado_pago', operation: 'charge' })).toBe(1);
    expect(total(text, 'pagos_router_commands_total', { router_id: s.routerRow.id, result: 'ok' })).toBeGreaterThan(4);
    expect(total(text, 'pagos_router_commands_total', { router_id: downRouterId, result: 'unreachable' })).toBeGreaterThan(0);
    expect(total(text, 'pagos_router_command_duration_seconds_count', { command: '/ip/hotspot/user/add' })).toBeGreaterThanOrEqual(3);
    expect(total(text, 'pagos_routers_unreachable')).toBe(1);
    expect(total(text, 'pagos_expiry_overdue_seconds')).toBe(0);
    // the Temporal SDK's own worker metrics, in the same scrape
    expect(total(text, 'temporal_worker_task_slots_available', { task_queue: s.config.TEMPORAL_TASK_QUEUE })).toBeGreaterThan(0);
  }, 180_000);

  it('shows no secret and no personal data, in values or labels, on the worker or the API', async () => {
    const mp = await s.db.dataSource.getRepository(PurchaseEntity).findOneByOrFail({ gateway: 'mercado_pago' });
    const requestId = randomUUID();
    const ts = Math.floor(Date.now() / 1000);
    const forged = createHmac('sha256', 'not-the-secret').update(`id:${mp.gatewayReference};request-id:${requestId};ts:${ts};`).digest('hex');
    const refused = await fetch(`${s.baseUrl}/api/v1/webhook/mercado-pago?data.id=${mp.gatewayReference}&type=payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': `ts=${ts},v1=${forged}`, 'x-request-id': requestId },
      body: JSON.stringify({ type: 'payment', data: { id: mp.gatewayReference } }),
    });
    expect(refused.status).toBe(401);

    const [workerText, apiText] = [await scrape(worker.url), await scrape(s.baseUrl)];
    expect(total(apiText, 'pagos_webhook_verifications_total', { gateway: 'mercado_pago', result: 'signature_mismatch' })).toBe(1);
    expect(total(apiText, 'pagos_http_requests_total', { route: '/api/v1/payments/pagar-conekta' })).toBe(3);

    const rows = await s.db.dataSource.getRepository(PurchaseEntity).find();
    const secrets = [
      customer.nombre_cliente,
      customer.email_cliente,
      ...tokens,
      s.apiKey,
      'router-secret',
      'down-router-secret',
      'key_test_private',
      'TEST-access-token',
      'mp-webhook-secret',
      'test-bot-token',
      ...rows.flatMap((row) => [row.id, row.hotspotUsername, row.hotspotPasswordEncrypted && s.secrets.decrypt(row.hotspotPasswordEncrypted)]),
    ].filter((value): value is string => typeof value === 'string' && value.length > 0);
    expect(secrets.length).toBeGreaterThan(20);
    // names, labels and help texts (a 4-digit hotspot password may well occur in a number: values are left out)
    const words = (text: string) => text.replace(/ (?:[-+]?[0-9.eE+-]+|NaN|[-+]Inf)$/gm, '');
    for (const [where, text] of [['worker', words(workerText)], ['api', words(apiText)]]) {
      expect({ where, found: secrets.filter((secret) => text.includes(secret)) }).toEqual({ where, found: [] });
    }

    // our labels are the declared ones, router ids only of configured routers
    const ours = [...samples(workerText), ...samples(apiText)].filter((x) => x.name.startsWith('pagos_'));
    const labels = new Set(ours.flatMap((x) => Object.keys(x.labels)));
    expect([...labels].sort()).toEqual(['command', 'finding', 'gateway', 'kind', 'le', 'method', 'operation', 'outcome', 'result', 'route', 'router_id', 'status']
      .filter((label) => labels.has(label)));
    expect(new Set(ours.flatMap((x) => (x.labels.router_id ? [x.labels.router_id] : [])))).toEqual(new Set([s.routerRow.id, downRouterId]));
  });

  it('serves liveness and readiness', async () => {
    expect(await (await fetch(`${worker.url}/health`)).json()).toEqual({ status: 'alive' });
    const ready = await fetch(`${worker.url}/ready`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({
      status: 200,
      body: { status: 'ready', database: 'up', temporal: 'up', worker: 'up' },
    });
    expect((await fetch(`${worker.url}/anything`)).status).toBe(404);
  });

  it('has a dashboard and alert rules that query only metrics the service exports, and show every metric of ours', async () => {
    const exported = new Set(samples(await scrape(worker.url)).map((x) => x.name).filter((name) => name.startsWith('temporal_')));
    for (const metrics of [new ApiMetrics(), new WorkerMetrics()]) {
      for (const family of await metrics.registry.getMetricsAsJSON()) {
        const type = String(family.type);
        for (const suffix of type === 'histogram' ? ['_bucket', '_sum', '_count'] : type === 'summary' ? ['', '_sum', '_count'] : ['']) {
          exported.add(`${family.name}${suffix}`);
        }
      }
    }
    const queries = [...dashboardQueries(), ...alertQueries()];
    expect(queries.length).toBeGreaterThan(20);
    const named = new Set(queries.flatMap(metricNames));
    expect([...named].filter((name) => !exported.has(name))).toEqual([]);
    const dashboard = new Set(dashboardQueries().flatMap(metricNames).map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    const families = (await new WorkerMetrics().registry.getMetricsAsJSON()).concat(await new ApiMetrics().registry.getMetricsAsJSON());
    expect(families.map((f) => f.name).filter((name) => name.startsWith('pagos_') && !dashboard.has(name))).toEqual([]);
  });
});

const ops = path.resolve(__dirname, '../../ops');

function dashboardQueries(): string[] {
  const dashboard = JSON.parse(readFileSync(path.join(ops, 'grafana/pagos-hotspot.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}

function alertQueries(): string[] {
  const rules = parse(readFileSync(path.join(ops, 'prometheus/alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string; for: string }[] }[] };
  const all = rules.groups.flatMap((group) => group.rules);
  expect(all.map((rule) => rule.alert)).toEqual(expect.arrayContaining(['RouterUnreachable', 'GatewayErrorRate', 'PurchasesFailing', 'ExpiryLag']));
  for (const rule of all) expect(rule).toEqual({ alert: expect.any(String), expr: expect.any(String), for: expect.stringMatching(/^\d+m$/), labels: expect.anything(), annotations: expect.anything() });
  return all.map((rule) => rule.expr);
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression selects: every identifier that is not a function, keyword or label. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ''); // label lists
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .filter((match) => !bare.slice(match.index + match[0].length).trimStart().startsWith('(') && !KEYWORDS.has(match[0]))
    .map((match) => match[0]);
}
