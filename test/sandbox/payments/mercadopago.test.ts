import { startMercadoPagoSimulator, type MercadoPagoSimulator } from '../../../sandbox/mercadopago/server';
import { purchaseId, startWebhookReceiver, token, waitFor, type WebhookReceiver } from './helpers';

describe('Mercado Pago simulator API', () => {
  let sim: MercadoPagoSimulator;
  let receiver: WebhookReceiver;

  const call = async (method: string, path: string, body?: unknown, idempotencyKey?: string, account = 'TEST-token') => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${account}`,
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

  it('searches by external_reference, never by metadata', async () => {
    const reference = purchaseId();
    await call('POST', '/v1/payments', { ...payment(token('approved'), reference), metadata: { purchase_id: reference } }, 'key-5');
    const { body } = await call('GET', `/v1/payments/search?external_reference=${reference}`);
    expect(body).toMatchObject({ paging: { total: 1, limit: 30, offset: 0 }, results: [{ external_reference: reference }] });
    expect(await call('GET', `/v1/payments/search?metadata.purchase_id=${reference}`)).toMatchObject({ status: 400, body: { cause: [{ code: 1 }] } });
  });

  it('searches as the reference allows: its sorts, criteria, date formats and ranges, within the paging limits', async () => {
    const search = (query: string) => call('GET', `/v1/payments/search?${query}`);
    const error = (status: number, code: number) => ({ status, body: { cause: [{ code }] } });
    expect(await search('sort=amount')).toMatchObject(error(400, 1003));
    expect(await search('criteria=up')).toMatchObject(error(400, 1004));
    expect(await search('range=date_of_expiration')).toMatchObject(error(400, 1));
    expect(await search('begin_date=2024-01-01')).toMatchObject(error(400, 1001));
    expect(await search('begin_date=2024-01-01T00:00:00Z')).toMatchObject(error(400, 1001));
    expect(await search('begin_date=2024-01-01T00:00:00.000Z')).toMatchObject(error(400, 1001));
    expect(await search('limit=101')).toMatchObject(error(400, 1000));
    expect(await search('offset=9950&limit=100')).toMatchObject(error(400, 1000));
    expect((await search('begin_date=NOW-7DAYS&end_date=NOW&range=date_last_updated&sort=date_last_updated&criteria=asc&limit=100')).status).toBe(200);
    expect((await search(`begin_date=${encodeURIComponent('2019-8-4T00:00:00.001-04:00')}&end_date=${encodeURIComponent('2030-12-04T23:59:59.999+0000')}`)).status).toBe(200);
  });

  it('searches only its own window: three months back by default, never beyond twelve', async () => {
    const account = `TEST-window-${Date.now()}`;
    const months = (n: number) => Date.now() - n * 31 * 86_400_000;
    const at = [months(0), months(4), months(13)].map((createdAt) => sim.addCharge({ account, amountCents: 100, createdAt }).id);
    const ids = async (query: string) =>
      ((await call('GET', `/v1/payments/search?${query}`, undefined, undefined, account)).body.results as Array<{ id: number }>).map((p) => String(p.id));
    expect(await ids('')).toEqual([at[0]]);
    expect((await ids('begin_date=NOW-24MONTHS')).sort()).toEqual([at[0], at[1]].sort());
    expect(await ids('external_reference=')).toEqual([]);
    expect(await call('GET', '/v1/payments/search', undefined, undefined, 'TEST-someone-else')).toMatchObject({ body: { paging: { total: 0 } } });
    expect((await call('GET', `/v1/payments/${at[0]}`, undefined, undefined, 'TEST-someone-else')).status).toBe(404);
  });

  it('forgets an idempotency key after a day: the same request then finds its card token spent', async () => {
    const body = payment(token('approved'));
    const first = await call('POST', '/v1/payments', body, 'key-forgotten');
    sim.setClockOffset(25 * 3_600_000);
    try {
      expect(await call('POST', '/v1/payments', body, 'key-forgotten')).toMatchObject({ status: 400, body: { cause: [{ code: 2006 }] } });
    } finally {
      sim.setClockOffset(0);
    }
    expect(sim.chargesFor(body.external_reference)).toEqual([expect.objectContaining({ id: String(first.body.id) })]);
  });

  it('keeps each account\'s idempotency keys apart', async () => {
    const mine = await call('POST', '/v1/payments', payment(token('approved')), 'shared-key');
    const theirs = await call('POST', '/v1/payments', payment(token('approved')), 'shared-key', 'TEST-other-account');
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  describe('3-D Secure challenge (three_ds_info)', () => {
    const form = (url: string, fields: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    const challenge = async () => {
      const { body } = await call('POST', '/v1/payments', { ...payment(token('3ds')), three_d_secure_mode: 'optional' }, `3ds-${Math.random()}`);
      const info = body.three_ds_info as { external_resource_url: string; creq: string };
      return { id: String(body.id), ...info };
    };
    const session = (html: string) => /name="session" value="([^"]+)"/.exec(html)?.[1];
    const action = (html: string) => /action="([^"]+)"/.exec(html)![1];

    it('opens only with a form POST of the creq it issued, and completes through the bank\'s own form', async () => {
      const { id, external_resource_url: url, creq } = await challenge();
      expect(sim.payment(id)).toMatchObject({ status: 'pending', status_detail: 'pending_challenge' });

      const get = await fetch(url);
      expect(get.status).toBe(405);
      expect((await fetch(`${url}?creq=${creq}`)).status).toBe(405);
      const json = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ creq }) });
      expect(json.status).toBe(415);
      expect((await form(url, { creq: `${creq}x` })).status).toBe(400);
      expect((await form(url, {})).status).toBe(400);
      const other = await challenge();
      expect((await form(url, { creq: other.creq.slice(0, -2) })).status).toBe(400);

      const page = await form(url, { creq });
      expect(page.status).toBe(200);
      const html = await page.text();
      const next = new URL(action(html), url).toString();
      expect((await form(next, { outcome: 'approved', session: 'forged' })).status).toBe(403);
      expect(sim.payment(id)?.status).toBe('pending');

      const done = await form(next, { outcome: 'approved', session: session(html)! });
      expect(done.status).toBe(200);
      expect(await done.text()).toContain("status: 'COMPLETE'");
      expect(sim.payment(id)).toMatchObject({ status: 'approved', status_detail: 'accredited' });
      expect(sim.payment(id)).not.toHaveProperty('three_ds_info');
      expect((await form(url, { creq })).status).toBe(400); // spent
    });

    it('rejects the payment when the challenge is not started within the time Mercado Pago allows', async () => {
      const quick = await startMercadoPagoSimulator({ threeDsStartTimeoutMs: 50 });
      try {
        const res = await fetch(`${quick.url}/v1/payments`, {
          method: 'POST',
          headers: { authorization: 'Bearer TEST-token', 'content-type': 'application/json', 'x-idempotency-key': 'late-3ds' },
          body: JSON.stringify({ ...payment(token('3ds')), three_d_secure_mode: 'optional' }),
        });
        const body = (await res.json()) as { id: number; three_ds_info: { external_resource_url: string; creq: string } };
        await waitFor(() => quick.payment(String(body.id))?.status === 'rejected');
        expect(quick.payment(String(body.id))).toMatchObject({ status_detail: 'cc_rejected_3ds_challenge' });
        expect((await form(body.three_ds_info.external_resource_url, { creq: body.three_ds_info.creq })).status).toBe(400);
      } finally {
        await quick.close();
      }
    });
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
