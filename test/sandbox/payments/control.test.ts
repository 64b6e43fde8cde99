import { createConektaGateway } from '../../../activities/payments/conekta';
import type { ChargeRequest, PaymentGateway } from '../../../activities/payments/gateway';
import { createMercadoPagoGateway } from '../../../activities/payments/mercadopago';
import { startConektaSimulator } from '../../../sandbox/conekta/server';
import type { GatewaySimulator } from '../../../sandbox/lib/gateway-simulator';
import { startMercadoPagoSimulator } from '../../../sandbox/mercadopago/server';
import { purchaseId, startWebhookReceiver, token, waitFor, type WebhookReceiver } from './helpers';

interface Setup {
  /** The key or token the gateway client uses (its account at the simulator). */
  account: string;
  /** Where the API answers one charge's status. */
  statusPath(id: string): string;
  start(webhookUrl: string, autoSettleMs?: number): Promise<GatewaySimulator>;
  gateway(url: string, timeoutMs?: number): PaymentGateway;
  /** The event type each receiver delivery carries. */
  typeOf(body: Record<string, unknown>): string;
  pendingType: string;
  approvedType: string;
}

const setups: Array<[string, Setup]> = [
  [
    'Conekta',
    {
      account: 'key_test',
      statusPath: (id) => `/orders/${id}`,
      start: (webhookUrl, autoSettleMs) => startConektaSimulator({ webhookUrl, autoSettleMs }),
      gateway: (url, timeoutMs = 2_000) => createConektaGateway({ privateKey: 'key_test', baseUrl: url, timeoutMs }),
      typeOf: (body) => String(body.type),
      pendingType: 'order.pending_payment',
      approvedType: 'order.paid',
    },
  ],
  [
    'Mercado Pago',
    {
      account: 'TEST-token',
      statusPath: (id) => `/v1/payments/${id}`,
      start: (webhookUrl, autoSettleMs) => startMercadoPagoSimulator({ webhookUrl, autoSettleMs }),
      gateway: (url, timeoutMs = 2_000) => createMercadoPagoGateway({
        accessToken: 'TEST-token',
        baseUrl: url,
        timeoutMs,
      }),
      typeOf: (body) => String(body.action),
      pendingType: 'payment.created',
      approvedType: 'payment.updated',
    },
  ],
];

const request = (scenario: string): ChargeRequest => ({
  purchaseId: purchaseId(),
  purchaseCreatedAt: new Date(),
  amountCents: 2000,
  currency: 'MXN',
  cardToken: token(scenario),
  customer: { name: 'Ana', email: 'ana@example.com' },
  description: 'Ficha 1 hora',
  threeDSecure: true,
  returnUrl: 'https://portal.example/vuelta',
  mercadoPago: { paymentMethodId: 'visa', installments: 1 },
});

describe.each(setups)('%s simulator control surface', (_name, setup) => {
  let receiver: WebhookReceiver;
  let sim: GatewaySimulator;
  let gateway: PaymentGateway;

  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    const isJson = res.headers.get('content-type')?.includes('json');
    const answer = isJson ? ((await res.json()) as Record<string, unknown>) : await res.text();
    return { status: res.status, headers: res.headers, body: answer };
  };
  const events = (from = 0) => receiver.received.slice(from).map((d) => JSON.parse(d.rawBody.toString()) as Record<string, unknown>);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    sim = await setup.start(receiver.url);
    gateway = setup.gateway(sim.url);
  });

  afterAll(() => Promise.all([sim.close(), receiver.close()]));

  afterEach(async () => {
    await control('PUT', '/__sim/config', { latencyMs: 0, outage: null, duplicateWebhooks: false, holdWebhooks: false, rateLimitPerSecond: null });
    await sim.webhooks.settled();
  });

  it('listens on loopback only', () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lists charges and counts them per purchase id over HTTP', async () => {
    const req = request('approved');
    const outcome = await gateway.charge(req);
    const { body } = await control('GET', `/__sim/charges?purchase_id=${req.purchaseId}`);
    expect(body).toMatchObject({
      count: 1,
      charges: [{ id: outcome.reference, purchaseId: req.purchaseId, amountCents: 2000, scenario: 'approved' }],
    });
  });

  it('settles a pending charge over HTTP and delivers a webhook for every status change, in order', async () => {
    const from = receiver.received.length;
    const pending = await gateway.charge(request('pending_approve'));
    expect((await control('POST', `/__sim/charges/${pending.reference}/settle`, { outcome: 'approved' })).status).toBe(200);
    await sim.webhooks.settled();

    expect(events(from).map(setup.typeOf)).toEqual([setup.pendingType, setup.approvedType]);
    expect(await gateway.getStatus(pending.reference)).toMatchObject({ status: 'approved' });
  });

  it('refuses to settle a charge that is not pending', async () => {
    const approved = await gateway.charge(request('approved'));
    expect((await control('POST', `/__sim/charges/${approved.reference}/settle`, { outcome: 'approved' })).status).toBe(409);
    expect((await control('POST', '/__sim/charges/404/settle', {})).status).toBe(404);
  });

  it('settles pending charges by itself when auto-settle is on', async () => {
    const auto = await setup.start(receiver.url, 20);
    try {
      const outcome = await setup.gateway(auto.url).charge(request('pending_reject'));
      await waitFor(() => ['declined', 'rejected'].includes(auto.charges()[0]?.status ?? ''));
      expect(await setup.gateway(auto.url).getStatus(outcome.reference)).toMatchObject({ status: 'declined' });
    } finally {
      await auto.close();
    }
  });

  it('duplicates deliveries when asked (same event id twice)', async () => {
    await control('PUT', '/__sim/config', { duplicateWebhooks: true });
    const from = receiver.received.length;
    await gateway.charge(request('approved'));
    await sim.webhooks.settled();

    const [first, second] = events(from);
    expect(events(from)).toHaveLength(2);
    expect(second.id).toEqual(first.id);
  });

  it('holds deliveries and sends them newest first (out of order) when asked', async () => {
    await control('PUT', '/__sim/config', { holdWebhooks: true });
    const from = receiver.received.length;
    const pending = await gateway.charge(request('pending_approve'));
    sim.settle(pending.reference, 'approved');
    expect(sim.webhooks.heldCount()).toBe(2);

    const { body } = await control('POST', '/__sim/webhooks/deliver', { order: 'newest_first' });
    expect((body as { deliveries: unknown[] }).deliveries).toHaveLength(2);
    expect(events(from).map(setup.typeOf)).toEqual([setup.approvedType, setup.pendingType]);
  });

  it('replays an event over HTTP with the same event id', async () => {
    const from = receiver.received.length;
    await gateway.charge(request('approved'));
    await sim.webhooks.settled();
    const [original] = events(from);

    const { status } = await control('POST', `/__sim/webhooks/${String(original.id)}/replay`);
    expect(status).toBe(200);
    expect(events(from).map((e) => e.id)).toEqual([original.id, original.id]);
    expect((await control('POST', '/__sim/webhooks/nope/replay')).status).toBe(404);
  });

  it('adds latency to API calls only, never to control calls', async () => {
    const charged = await gateway.charge(request('approved'));
    await control('PUT', '/__sim/config', { latencyMs: 150 });

    let started = Date.now();
    await gateway.getStatus(charged.reference);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    started = Date.now();
    await control('GET', '/__sim/charges');
    expect(Date.now() - started).toBeLessThan(150);
  });

  it('fails every API call during an outage (503, or no answer at all)', async () => {
    const charged = await gateway.charge(request('approved'));
    await control('PUT', '/__sim/config', { outage: 'error' });
    await expect(gateway.getStatus(charged.reference)).rejects.toMatchObject({
      retryable: true,
      details: { httpStatus: 503 },
    });

    await control('PUT', '/__sim/config', { outage: 'timeout' });
    const error = await setup.gateway(sim.url, 200).getStatus(charged.reference).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true, details: { httpStatus: undefined } });
  });

  it('completes a 3-D Secure challenge over HTTP (the shortcut past the bank\'s page)', async () => {
    const outcome = await gateway.charge(request('3ds'));
    expect((await control('POST', `/__sim/charges/${outcome.reference}/3ds`, { outcome: 'approved' })).status).toBe(200);
    expect(await gateway.getStatus(outcome.reference)).toMatchObject({ status: 'approved' });
    expect((await control('POST', `/__sim/charges/${outcome.reference}/3ds`, { outcome: 'approved' })).status).toBe(409);
  });

  it('refunds from the dashboard, opens disputes and adds charges made elsewhere, over HTTP', async () => {
    const refunded = await gateway.charge(request('approved'));
    const disputed = await gateway.charge(request('approved'));
    expect((await control('POST', `/__sim/charges/${refunded.reference}/refund`, { amountCents: 500 })).status).toBe(200);
    expect((await control('POST', `/__sim/charges/${disputed.reference}/dispute`)).status).toBe(200);
    expect((await control('POST', `/__sim/charges/${disputed.reference}/dispute`)).status).toBe(409);
    expect(await gateway.getStatus(refunded.reference)).toMatchObject({ reversal: 'partially_refunded', refundedCents: 500 });
    expect(await gateway.getStatus(disputed.reference)).toMatchObject({ status: 'charged_back', reversal: 'in_dispute' });
    expect(sim.refunds()).toContainEqual(expect.objectContaining({ chargeId: refunded.reference, amountCents: 500, source: 'dashboard' }));

    const orphan = purchaseId();
    const added = await control('POST', '/__sim/charges', [
      { account: setup.account, purchaseId: orphan, amountCents: 2500, metadata: { company_id: 'EMP_X' } },
      { account: setup.account, amountCents: 100, status: 'pending', createdAt: '2020-01-01T00:00:00.000Z' },
    ]);
    expect(added.status).toBe(201);
    const [made] = (added.body as { charges: Array<{ id: string }> }).charges;
    expect(await gateway.getStatus(made.id)).toMatchObject({ status: 'approved', amountCents: 2500 });
    expect(sim.chargesFor(orphan)).toEqual([expect.objectContaining({ id: made.id, account: setup.account, scenario: undefined })]);
    expect((await control('POST', '/__sim/charges', { amountCents: 100 })).status).toBe(400);
    expect((await control('POST', '/__sim/charges', { account: setup.account, amountCents: 1.5 })).status).toBe(400);
  });

  it('loses every webhook when asked (recorded, never sent, not held)', async () => {
    await control('PUT', '/__sim/config', { dropWebhooks: true });
    const from = receiver.received.length;
    const charged = await gateway.charge(request('approved'));
    sim.refundFromDashboard(charged.reference);
    await sim.webhooks.settled();

    expect(receiver.received.length).toBe(from);
    expect(sim.webhooks.heldCount()).toBe(0);
    expect(sim.webhooks.events().length).toBeGreaterThanOrEqual(2);
    await control('PUT', '/__sim/config', { dropWebhooks: false });
  });

  it('counts the API calls it receives, and rate-limits each account (429 with Retry-After)', async () => {
    await control('POST', '/__sim/reset');
    const charged = await gateway.charge(request('approved'));
    await control('PUT', '/__sim/config', { rateLimitPerSecond: 1 });
    const status = () => fetch(`${sim.url}${setup.statusPath(charged.reference)}`, { headers: { authorization: `Bearer ${setup.account}` } });
    const answers = await Promise.all(Array.from({ length: 6 }, status));
    // Another account has a budget of its own (and sees nothing of this one).
    const other = await fetch(`${sim.url}${setup.statusPath(charged.reference)}`, { headers: { authorization: 'Bearer someone-else' } });
    await control('PUT', '/__sim/config', { rateLimitPerSecond: null });

    const limited = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(other.status).toBe(404);
    const { body } = await control('GET', '/__sim/calls');
    expect(body).toMatchObject({ total: 8, byRoute: { [`GET ${setup.statusPath(':id')}`]: 7 } });
  });

  it('records charge-backs, refunds and cancels', async () => {
    const charged = await gateway.charge(request('approved'));
    expect((await control('POST', `/__sim/charges/${charged.reference}/chargeback`)).status).toBe(200);
    expect(await gateway.getStatus(charged.reference)).toMatchObject({ status: 'charged_back' });

    const refunded = await gateway.charge(request('approved'));
    await gateway.refund(refunded.reference);
    const pending = await gateway.charge(request('pending_approve'));
    await gateway.cancel(pending.reference);
    const { refunds } = (await control('GET', '/__sim/refunds')).body as { refunds: Array<{ chargeId: string }> };
    const { cancels } = (await control('GET', '/__sim/cancels')).body as { cancels: string[] };
    expect(refunds.map((r) => r.chargeId)).toContain(refunded.reference);
    expect(cancels).toContain(pending.reference);
  });

  it('forgets everything on reset', async () => {
    await gateway.charge(request('approved'));
    await sim.webhooks.settled();
    await control('POST', '/__sim/reset');
    expect(sim.charges()).toHaveLength(0);
    expect(sim.webhooks.deliveries()).toHaveLength(0);
  });
});
