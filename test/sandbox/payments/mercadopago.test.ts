import { startMercadoPagoSimulator, type MercadoPagoSimulator } from '../../../sandbox/mercadopago/server';
import { purchaseId, startWebhookReceiver, token, type WebhookReceiver } from './helpers';

describe('Mercado Pago simulator API', () => {
  let sim: MercadoPagoSimulator;
  let receiver: WebhookReceiver;

  const call = async (method: string, path: string, body?: unknown, idempotencyKey?: string) => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: {
        authorization: 'Bearer TEST-token',
        'content-type': 'application/json',
        ...(idempotencyKey ? { 'x-idempotency-key': idempotencyKey } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const payment = (cardToken: string, externalReference = purchaseId(), amount = 20) => ({
    transaction_amount: amount,
    token: cardToken,
    description: 'Ficha',
    installments: 1,
    payment_method_id: 'visa',
    external_reference: externalReference,
    payer: { email: 'ana@example.com' },
  });

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    sim = await startMercadoPagoSimulator({ webhookUrl: `${receiver.url}/mp?source=account` });
  });

  afterAll(() => Promise.all([sim.close(), receiver.close()]));

  it('returns the same payment for the same X-Idempotency-Key, as Mercado Pago does', async () => {
    const body = payment(token('approved'));
    const first = await call('POST', '/v1/payments', body, 'key-1');
    const again = await call('POST', '/v1/payments', { ...body, token: token('approved') }, 'key-1');

    expect(first.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(sim.chargesFor(body.external_reference)).toHaveLength(1);
  });

  it('knows a card token only once, and requires an idempotency key', async () => {
    const cardToken = token('approved');
    await call('POST', '/v1/payments', payment(cardToken), 'key-2');
    expect(await call('POST', '/v1/payments', payment(cardToken), 'key-3')).toMatchObject({
      status: 400,
      body: { cause: [{ code: 2006 }] },
    });
    expect((await call('POST', '/v1/payments', payment(token('approved')))).status).toBe(400);
  });

  it('refuses amounts with more than two decimals', async () => {
    expect(await call('POST', '/v1/payments', payment(token('approved'), purchaseId(), 19.999), 'key-4')).toMatchObject({
      status: 400,
      body: { cause: [{ code: 4037 }] },
    });
  });

  it('searches by external_reference', async () => {
    const reference = purchaseId();
    await call('POST', '/v1/payments', payment(token('approved'), reference), 'key-5');
    const { body } = await call('GET', `/v1/payments/search?external_reference=${reference}`);
    expect(body).toMatchObject({ paging: { total: 1 }, results: [{ external_reference: reference }] });
  });

  it('refunds once per idempotency key', async () => {
    const { body } = await call('POST', '/v1/payments', payment(token('approved')), 'key-6');
    const first = await call('POST', `/v1/payments/${String(body.id)}/refunds`, { amount: 5 }, 'refund-1');
    const again = await call('POST', `/v1/payments/${String(body.id)}/refunds`, { amount: 5 }, 'refund-1');
    expect(again.body.id).toBe(first.body.id);
    expect(sim.refunds().filter((r) => r.chargeId === String(body.id))).toHaveLength(1);
  });

  it('cancels only payments that are not captured', async () => {
    const { body } = await call('POST', '/v1/payments', payment(token('approved')), 'key-7');
    expect((await call('PUT', `/v1/payments/${String(body.id)}`, { status: 'cancelled' }, 'cancel-1')).status).toBe(400);
  });

  it('notifies the account-level URL when the payment has no notification_url', async () => {
    const { body } = await call('POST', '/v1/payments', payment(token('approved')), 'key-8');
    await sim.webhooks.settled();
    const delivery = receiver.received.at(-1)!;
    expect(delivery.path).toBe('/mp');
    expect(Object.fromEntries(delivery.query)).toEqual({
      source: 'account',
      'data.id': String(body.id),
      type: 'payment',
    });
  });

  it('never issues an id again after a restart (npm run dev keeps its database): payments, refunds, notifications', async () => {
    const issued = async () => {
      const { body } = await call('POST', '/v1/payments', payment(token('approved')), `restart-${Date.now()}-${Math.random()}`);
      const refund = await call('POST', `/v1/payments/${String(body.id)}/refunds`, { amount: 5 }, `restart-refund-${String(body.id)}`);
      await sim.webhooks.settled();
      const notice = JSON.parse(receiver.received.at(-1)!.rawBody.toString()) as { id: number };
      return { payment: Number(body.id), refund: Number(refund.body.id), notification: notice.id };
    };
    const before = await issued();
    await sim.close();
    sim = await startMercadoPagoSimulator({ webhookUrl: `${receiver.url}/mp?source=account` });
    const after = await issued();
    expect(after.payment).toBeGreaterThan(before.payment);
    expect(after.refund).toBeGreaterThan(before.refund);
    expect(after.notification).toBeGreaterThan(before.notification);
    expect([after.payment, after.refund, after.notification].every(Number.isSafeInteger)).toBe(true);
  });
});
