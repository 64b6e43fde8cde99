import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConektaGateway, createConektaWebhookKey } from '../../../activities/payments/conekta';
import { PaymentGatewayError, type ChargeRequest, type PaymentGateway } from '../../../activities/payments/gateway';
import { toCents } from '../../../domain/money';
import { startConektaSimulator, type ConektaSimulator } from '../../../sandbox/conekta/server';
import { purchaseId, token } from '../../sandbox/payments/helpers';

const PRIVATE_KEY = 'key_test_conekta_private_123';

function request(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    purchaseId: purchaseId(),
    purchaseCreatedAt: new Date(),
    amountCents: 2000,
    currency: 'MXN',
    cardToken: token('approved'),
    customer: { name: 'Ana López', email: 'ana@example.com', phone: '55 1234 5678' },
    description: 'Ficha 1 hora',
    metadata: { companyId: '7', routerId: '3', productId: '12' },
    threeDSecure: false,
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<PaymentGatewayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PaymentGatewayError);
  return error as PaymentGatewayError;
}

describe('Conekta gateway (real SDK against the simulator)', () => {
  let sim: ConektaSimulator;
  let gateway: PaymentGateway;
  let impatient: PaymentGateway;

  beforeAll(async () => {
    sim = await startConektaSimulator({ privateKey: PRIVATE_KEY, slowMs: 200 });
    gateway = createConektaGateway({ privateKey: PRIVATE_KEY, baseUrl: sim.url, timeoutMs: 5_000 });
    impatient = createConektaGateway({ privateKey: PRIVATE_KEY, baseUrl: sim.url, timeoutMs: 300 });
  });

  afterAll(() => sim.close());

  it.each([
    ['19.99', 1999],
    ['0.29', 29],
  ])('charges %s as exactly %i integer cents', async (price, cents) => {
    const req = request({ amountCents: toCents(price) });
    const outcome = await gateway.charge(req);

    expect(outcome).toMatchObject({ status: 'approved', gatewayStatus: 'paid', amountCents: cents, currency: 'MXN' });
    const [charge] = sim.chargesFor(req.purchaseId);
    expect(charge.amountCents).toBe(cents);
    expect(charge.request).toMatchObject({
      currency: 'MXN',
      line_items: [{ name: 'Ficha 1 hora', unit_price: cents, quantity: 1 }],
      metadata: { purchase_id: req.purchaseId, companyId: '7' },
      customer_info: { name: 'Ana López', email: 'ana@example.com', phone: '+525512345678' },
      charges: [{ payment_method: { type: 'card', token_id: req.cardToken } }],
    });
    expect(outcome.reference).toBe(charge.id);
  });

  it.each([
    ['declined', 'conekta.errors.processing.bank.declined', 'Tarjeta declinada. Contacte a su banco.'],
    ['insufficient_funds', 'conekta.errors.processing.bank.insufficient_funds', 'Fondos insuficientes en la tarjeta.'],
    ['stolen', 'conekta.errors.processing.bank.pick_up_card', 'Tarjeta reportada como robada.'],
    ['fraud', 'conekta.errors.processing.charge.card_payment.suspicious_behaviour', 'Actividad sospechosa detectada.'],
  ])('returns a declined outcome, not an error, for a %s card', async (scenario, code, message) => {
    const req = request({ cardToken: token(scenario) });
    const outcome = await gateway.charge(req);

    expect(outcome).toMatchObject({ status: 'declined', gatewayStatus: 'declined', code, message });
    expect(outcome.reference).toBe(sim.chargesFor(req.purchaseId)[0].id);
  });

  it('reports pending, then approved once the gateway settles it', async () => {
    const pending = await gateway.charge(request({ cardToken: token('pending_approve') }));
    expect(pending).toMatchObject({
      status: 'pending',
      gatewayStatus: 'pending_payment',
      message: 'Pendiente de procesamiento de pago.',
    });

    sim.settle(pending.reference, 'approved');
    expect(await gateway.getStatus(pending.reference)).toMatchObject({ status: 'approved', gatewayStatus: 'paid' });
  });

  it('reports pending, then declined once the gateway rejects it', async () => {
    const pending = await gateway.charge(request({ cardToken: token('pending_reject') }));
    expect(pending.status).toBe('pending');

    sim.settle(pending.reference, 'declined');
    expect(await gateway.getStatus(pending.reference)).toMatchObject({
      status: 'declined',
      message: 'Actividad sospechosa detectada.',
    });
  });

  it('asks for 3-D Secure and returns the redirect URL, then approved once the challenge is completed', async () => {
    const req = request({ cardToken: token('3ds'), threeDSecure: true, returnUrl: 'https://portal.example/vuelta' });
    const outcome = await gateway.charge(req);

    expect(outcome.status).toBe('requires_action');
    expect(outcome.redirectUrl).toMatch(new RegExp(`^${sim.url}/__sim/3ds/`));
    expect(sim.chargesFor(req.purchaseId)[0].request).toMatchObject({
      three_ds_mode: 'smart',
      return_url: 'https://portal.example/vuelta',
    });

    sim.completeThreeDs(outcome.reference, 'approved');
    expect(await gateway.getStatus(outcome.reference)).toMatchObject({ status: 'approved' });
  });

  it('is declined when the card needs 3-D Secure and the charge did not ask for it', async () => {
    const outcome = await gateway.charge(request({ cardToken: token('3ds') }));
    expect(outcome).toMatchObject({
      status: 'declined',
      message: 'La autenticación 3-D Secure no se completó. Intente nuevamente.',
    });
  });

  it('waits for a slow answer within the timeout', async () => {
    const started = Date.now();
    const outcome = await gateway.charge(request({ cardToken: token('slow') }));
    expect(outcome.status).toBe('approved');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('throws a retryable error on a 5xx and charges nothing', async () => {
    const req = request({ cardToken: token('error') });
    const error = await failureOf(gateway.charge(req));

    expect(error).toMatchObject({
      code: 'PAYMENT_GATEWAY_UNAVAILABLE',
      retryable: true,
      details: { gateway: 'conekta', httpStatus: 500 },
    });
    expect(sim.chargesFor(req.purchaseId)).toHaveLength(0);
  });

  it('charges once when a 503 is retried', async () => {
    const req = request({ cardToken: token('flaky') });
    expect(await failureOf(gateway.charge(req))).toMatchObject({ retryable: true, details: { httpStatus: 503 } });

    expect(await gateway.charge(req)).toMatchObject({ status: 'approved' });
    expect(sim.chargesFor(req.purchaseId)).toHaveLength(1);
  });

  it('charges once when a charge whose answer timed out is retried', async () => {
    const req = request({ cardToken: token('timeout') });
    const error = await failureOf(impatient.charge(req));
    expect(error).toMatchObject({ code: 'PAYMENT_GATEWAY_UNAVAILABLE', retryable: true });
    expect(error.details.httpStatus).toBeUndefined();

    const retried = await impatient.charge(req);
    expect(retried).toMatchObject({ status: 'approved' });
    expect(sim.chargesFor(req.purchaseId)).toHaveLength(1);
    expect(retried.reference).toBe(sim.chargesFor(req.purchaseId)[0].id);
  });

  it('charges once when the answer was lost hours ago: the retry looks from the purchase row\'s creation, with documented filters only', async () => {
    const hoursAgo = 2 * 3_600_000;
    const req = request({ cardToken: token('timeout'), purchaseCreatedAt: new Date(Date.now() - hoursAgo) });
    sim.setClockOffset(-hoursAgo); // the first attempt happened two hours ago, right after the row was written
    try {
      await failureOf(impatient.charge(req));
    } finally {
      sim.setClockOffset(0);
    }
    const before = sim.apiCalls().recent.length;

    const retried = await impatient.charge(req);

    expect(retried).toMatchObject({ status: 'approved', reference: sim.chargesFor(req.purchaseId)[0].id });
    expect(sim.chargesFor(req.purchaseId)).toHaveLength(1);
    const lists = sim.apiCalls().recent.slice(before).filter((c) => c.method === 'GET' && c.route === '/orders');
    expect(lists.length).toBeGreaterThan(0);
    for (const { query } of lists) {
      const params = new URLSearchParams(query);
      expect(params.has('search')).toBe(false);
      // From the row's creation (minus the clocks' margin), not from the time of the retry.
      expect(Number(params.get('created_at.gte'))).toBeLessThanOrEqual(req.purchaseCreatedAt.getTime() / 1000);
    }
  });

  it('finds a purchase\'s order among more than a page of newer orders, following the cursors', async () => {
    const own = await startConektaSimulator({ privateKey: PRIVATE_KEY });
    try {
      const client = createConektaGateway({ privateKey: PRIVATE_KEY, baseUrl: own.url, timeoutMs: 5_000 });
      const req = request({ purchaseCreatedAt: new Date(Date.now() - 60_000) });
      const charged = await client.charge(req);
      for (let i = 0; i < 260; i++) own.addCharge({ account: PRIVATE_KEY, purchaseId: purchaseId(), amountCents: 1000 });

      expect(await client.findByPurchaseId(req.purchaseId, req.purchaseCreatedAt)).toMatchObject({ reference: charged.reference });
      expect(own.apiCalls().byRoute['GET /orders']).toBe(2);
    } finally {
      await own.close();
    }
  });

  it('returns the existing charge when the same charge is sent again (its token already spent)', async () => {
    const req = request();
    const first = await gateway.charge(req);
    const again = await gateway.charge(req);

    expect(again.reference).toBe(first.reference);
    expect(sim.chargesFor(req.purchaseId)).toHaveLength(1);
    expect(await gateway.findByPurchaseId(req.purchaseId, req.purchaseCreatedAt)).toMatchObject({
      reference: first.reference,
      status: 'approved',
    });
  });

  it('declines a token already spent by another purchase', async () => {
    const cardToken = token('approved');
    await gateway.charge(request({ cardToken }));
    const outcome = await gateway.charge(request({ cardToken }));

    expect(outcome).toMatchObject({
      status: 'declined',
      code: 'conekta.errors.processing.tokenization.used',
      message: 'El token de tarjeta ya fue utilizado. Genere un nuevo token.',
    });
  });

  it('refunds the whole charge once, however often it is asked', async () => {
    const charged = await gateway.charge(request({ amountCents: 1999 }));
    const refunded = await gateway.refund(charged.reference);
    const again = await gateway.refund(charged.reference);

    expect(refunded).toMatchObject({ status: 'refunded', gatewayStatus: 'refunded', refundedCents: 1999 });
    expect(again).toMatchObject({ status: 'refunded', refundedCents: 1999 });
    expect(sim.refunds().filter((r) => r.chargeId === charged.reference)).toEqual([expect.objectContaining({ amountCents: 1999 })]);
  });

  it('refunds part of a charge', async () => {
    const charged = await gateway.charge(request({ amountCents: 5000 }));
    expect(await gateway.refund(charged.reference, 1250)).toMatchObject({
      status: 'refunded',
      gatewayStatus: 'partially_refunded',
      refundedCents: 1250,
    });
    expect(await gateway.refund(charged.reference)).toMatchObject({ gatewayStatus: 'refunded', refundedCents: 5000 });
  });

  it('cancels a pending charge, and cancelling again changes nothing', async () => {
    const pending = await gateway.charge(request({ cardToken: token('pending_approve') }));
    expect(await gateway.cancel(pending.reference)).toMatchObject({
      status: 'cancelled',
      gatewayStatus: 'canceled',
      message: 'El pago fue cancelado.',
    });
    expect(await gateway.cancel(pending.reference)).toMatchObject({ status: 'cancelled' });
    expect(sim.cancels().filter((id) => id === pending.reference)).toHaveLength(1);
  });

  it('refuses to cancel a paid charge with a final error', async () => {
    const charged = await gateway.charge(request());
    expect(await failureOf(gateway.cancel(charged.reference))).toMatchObject({
      code: 'PAYMENT_GATEWAY_REJECTED',
      retryable: false,
    });
  });

  it('reports an unknown order as not found (final) and an unknown purchase as null', async () => {
    expect(await failureOf(gateway.getStatus('ord_doesnotexist'))).toMatchObject({
      code: 'PAYMENT_NOT_FOUND',
      retryable: false,
    });
    expect(await gateway.findByPurchaseId(purchaseId(), new Date())).toBeNull();
  });

  it('creates the company webhook key and returns the public key that verifies webhooks', async () => {
    const key = await createConektaWebhookKey({ privateKey: PRIVATE_KEY, baseUrl: sim.url, timeoutMs: 2_000 });
    expect(key).toEqual({ id: expect.stringMatching(/^webhk_/), publicKey: sim.publicKeyPem });
    await expect(createConektaWebhookKey({ privateKey: 'key_wrong', baseUrl: sim.url, timeoutMs: 2_000 })).rejects.toMatchObject({
      code: 'PAYMENT_NOT_CONFIGURED',
    });
  });

  it('refuses to build a gateway without a private key', () => {
    expect(() => createConektaGateway({ privateKey: ' ', baseUrl: sim.url, timeoutMs: 1_000 })).toThrow(
      expect.objectContaining({
        code: 'PAYMENT_NOT_CONFIGURED',
        retryable: false,
        message: 'La empresa no tiene configurado Conekta',
      }),
    );
  });

  it('fails for good with a wrong private key', async () => {
    const wrong = createConektaGateway({ privateKey: 'key_wrong', baseUrl: sim.url, timeoutMs: 2_000 });
    const error = await failureOf(wrong.charge(request()));
    expect(error).toMatchObject({ code: 'PAYMENT_NOT_CONFIGURED', retryable: false, details: { httpStatus: 401 } });
  });

  it('retries status lookups while the gateway is down', async () => {
    const charged = await gateway.charge(request());
    sim.setOutage('error');
    try {
      expect(await failureOf(gateway.getStatus(charged.reference))).toMatchObject({
        retryable: true,
        details: { httpStatus: 503 },
      });
    } finally {
      sim.setOutage(null);
    }
  });

  it('rejects an amount that is not positive integer cents before calling the gateway', async () => {
    const req = request({ amountCents: 19.99 });
    expect(await failureOf(gateway.charge(req))).toMatchObject({ code: 'PAYMENT_GATEWAY_REJECTED', retryable: false });
    expect(sim.chargesFor(req.purchaseId)).toHaveLength(0);
  });
});

describe('Conekta gateway TLS', () => {
  it('verifies certificates (the SDK would not): a self-signed gateway is never sent the order', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'conekta-tls-'));
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1'];
    execFileSync('openssl', [...args, '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    let requests = 0;
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const gateway = createConektaGateway({
        privateKey: PRIVATE_KEY,
        baseUrl: `https://127.0.0.1:${port}`,
        timeoutMs: 2_000,
      });
      await expect(gateway.charge(request())).rejects.toBeInstanceOf(PaymentGatewayError);
      expect(requests).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
