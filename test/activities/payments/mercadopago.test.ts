import { PaymentGatewayError, type ChargeRequest, type PaymentGateway } from '../../../activities/payments/gateway';
import { createMercadoPagoGateway, mercadoPagoIdempotencyKey } from '../../../activities/payments/mercadopago';
import { toCents } from '../../../domain/money';
import { startMercadoPagoSimulator, type MercadoPagoSimulator } from '../../../sandbox/mercadopago/server';
import { purchaseId, token } from '../../sandbox/payments/helpers';

const ACCESS_TOKEN = 'TEST-1234567890-access-token';

function request(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    purchaseId: purchaseId(),
    purchaseCreatedAt: new Date(),
    amountCents: 2000,
    currency: 'MXN',
    cardToken: token('approved'),
    customer: { name: 'Ana María López', email: 'ana@example.com' },
    description: 'Ficha 1 hora',
    metadata: { companyId: '7', routerId: '3', productId: '12' },
    threeDSecure: false,
    notificationUrl: 'https://pagos.example/api/v1/webhook/mercado-pago',
    clientIp: '10.5.50.23',
    mercadoPago: { paymentMethodId: 'visa', installments: 1, issuerId: '310' },
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

describe('Mercado Pago gateway (real SDK against the simulator)', () => {
  let sim: MercadoPagoSimulator;
  let gateway: PaymentGateway;
  let impatient: PaymentGateway;

  beforeAll(async () => {
    sim = await startMercadoPagoSimulator({ accessToken: ACCESS_TOKEN, slowMs: 200 });
    gateway = createMercadoPagoGateway({ accessToken: ACCESS_TOKEN, baseUrl: sim.url, timeoutMs: 5_000 });
    impatient = createMercadoPagoGateway({ accessToken: ACCESS_TOKEN, baseUrl: sim.url, timeoutMs: 300 });
  });

  afterAll(() => sim.close());

  it.each([
    ['19.99', 1999, 19.99],
    ['0.29', 29, 0.29],
  ])('charges %s as the exact decimal of %i cents', async (price, cents, decimal) => {
    const req = request({ amountCents: toCents(price) });
    const outcome = await gateway.charge(req);

    expect(outcome).toMatchObject({
      status: 'approved',
      gatewayStatus: 'approved',
      code: 'accredited',
      amountCents: cents,
    });
    const [charge] = sim.chargesFor(req.purchaseId);
    expect(charge.amountCents).toBe(cents);
    expect(charge.request).toMatchObject({
      transaction_amount: decimal,
      additional_info: { items: [{ unit_price: decimal }] },
    });
  });

  it('sends the amount the caller gives (our database price) and the purchase as external_reference', async () => {
    const req = request({ amountCents: 1500 });
    const outcome = await gateway.charge(req);

    expect(outcome.reference).toBe(sim.chargesFor(req.purchaseId)[0].id);
    expect(sim.chargesFor(req.purchaseId)[0].request).toMatchObject({
      transaction_amount: 15,
      token: req.cardToken,
      external_reference: req.purchaseId,
      notification_url: 'https://pagos.example/api/v1/webhook/mercado-pago',
      binary_mode: false,
      three_d_secure_mode: 'not_supported',
      payment_method_id: 'visa',
      installments: 1,
      issuer_id: 310,
      payer: { email: 'ana@example.com', first_name: 'Ana', last_name: 'María López' },
      metadata: { purchase_id: req.purchaseId, companyId: '7' },
      additional_info: { ip_address: '10.5.50.23' },
    });
  });

  it.each([
    ['declined', 'cc_rejected_other_reason', '❌ Tarjeta rechazada. Contacte a su banco.'],
    ['insufficient_funds', 'cc_rejected_insufficient_amount', '❌ Fondos insuficientes en la tarjeta.'],
    ['stolen', 'cc_rejected_blacklist', '❌ No se puede procesar el pago con esta tarjeta.'],
    ['fraud', 'cc_rejected_high_risk', '⚠️ Pago rechazado por políticas de seguridad.'],
  ])('returns a declined outcome, not an error, for a %s card', async (scenario, code, message) => {
    const outcome = await gateway.charge(request({ cardToken: token(scenario) }));
    expect(outcome).toMatchObject({ status: 'declined', gatewayStatus: 'rejected', code, message });
  });

  it('reports pending, then approved once the gateway settles it', async () => {
    const pending = await gateway.charge(request({ cardToken: token('pending_approve') }));
    expect(pending).toMatchObject({
      status: 'pending',
      gatewayStatus: 'in_process',
      code: 'pending_contingency',
      message: '⏳ El pago está pendiente de confirmación.',
    });

    sim.settle(pending.reference, 'approved');
    expect(await gateway.getStatus(pending.reference)).toMatchObject({ status: 'approved', code: 'accredited' });
  });

  it('reports pending, then declined once the gateway rejects it', async () => {
    const pending = await gateway.charge(request({ cardToken: token('pending_reject') }));
    expect(pending).toMatchObject({
      status: 'pending',
      code: 'pending_review_manual',
      message: '⏳ El pago está siendo revisado manualmente.',
    });

    sim.settle(pending.reference, 'declined');
    expect(await gateway.getStatus(pending.reference)).toMatchObject({
      status: 'declined',
      code: 'cc_rejected_high_risk',
    });
  });

  it('asks for 3-D Secure and returns the challenge (its URL and creq), then approved once it is completed', async () => {
    const req = request({ cardToken: token('3ds'), threeDSecure: true });
    const outcome = await gateway.charge(req);

    expect(outcome).toMatchObject({ status: 'requires_action', gatewayStatus: 'pending', code: 'pending_challenge' });
    const { three_ds_info: issued } = sim.payment(outcome.reference)!;
    expect(outcome.challenge).toEqual({ url: issued!.external_resource_url, creq: issued!.creq });
    expect(outcome.redirectUrl).toBe(issued!.external_resource_url);
    expect(outcome.extra).toMatchObject({ creq: issued!.creq });
    expect(sim.chargesFor(req.purchaseId)[0].request).toMatchObject({ three_d_secure_mode: 'optional' });

    sim.completeThreeDs(outcome.reference, 'approved');
    expect(await gateway.getStatus(outcome.reference)).toMatchObject({ status: 'approved' });
  });

  it('is declined when the card needs 3-D Secure and the charge did not ask for it', async () => {
    const outcome = await gateway.charge(request({ cardToken: token('3ds') }));
    expect(outcome).toMatchObject({
      status: 'declined',
      code: 'cc_rejected_call_for_authorize',
      message: '⚠️ El pago requiere autorización del banco.',
    });
  });

  it('waits for a slow answer within the timeout', async () => {
    const started = Date.now();
    expect(await gateway.charge(request({ cardToken: token('slow') }))).toMatchObject({ status: 'approved' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('throws a retryable error on a 5xx, without the SDK retrying by itself', async () => {
    const req = request({ cardToken: token('error') });
    const started = Date.now();
    expect(await failureOf(gateway.charge(req))).toMatchObject({
      code: 'PAYMENT_GATEWAY_UNAVAILABLE',
      retryable: true,
    });
    // The SDK's default (3 retries with back-off) would take seconds; maxRetries: 0 answers at once.
    expect(Date.now() - started).toBeLessThan(900);
    expect(sim.chargesFor(req.purchaseId)).toHaveLength(0);
  });

  it('charges once when a 503 is retried', async () => {
    const req = request({ cardToken: token('flaky') });
    expect(await failureOf(gateway.charge(req))).toMatchObject({ retryable: true });
    expect(await gateway.charge(req)).toMatchObject({ status: 'approved' });
    expect(sim.chargesFor(req.purchaseId)).toHaveLength(1);
  });

  it('charges once when a charge whose answer timed out is retried (same idempotency key)', async () => {
    const req = request({ cardToken: token('timeout') });
    const error = await failureOf(impatient.charge(req));
    expect(error).toMatchObject({ code: 'PAYMENT_GATEWAY_UNAVAILABLE', retryable: true });

    const retried = await impatient.charge(req);
    expect(retried).toMatchObject({ status: 'approved' });
    expect(sim.chargesFor(req.purchaseId)).toHaveLength(1);
    expect(retried.reference).toBe(sim.chargesFor(req.purchaseId)[0].id);
  });

  it('charges once when the answer was lost and Mercado Pago has since forgotten the idempotency key: found by external_reference', async () => {
    const req = request({ cardToken: token('timeout') });
    await failureOf(impatient.charge(req));
    sim.setClockOffset(25 * 3_600_000); // the retry comes a day later: the key is no longer remembered
    try {
      const before = sim.apiCalls().recent.length;
      const retried = await impatient.charge(req);

      expect(retried).toMatchObject({ status: 'approved', reference: sim.chargesFor(req.purchaseId)[0].id });
      expect(sim.chargesFor(req.purchaseId)).toHaveLength(1);
      const calls = sim.apiCalls().recent.slice(before);
      expect(calls.find((c) => c.method === 'POST')).toMatchObject({ status: 400 }); // the token is spent
      const search = new URLSearchParams(calls.find((c) => c.route === '/v1/payments/search')!.query);
      expect(search.get('external_reference')).toBe(req.purchaseId);
      expect(Date.parse(search.get('begin_date')!)).toBeLessThanOrEqual(req.purchaseCreatedAt.getTime());
    } finally {
      sim.setClockOffset(0);
    }
  });

  it('never lets one charge idempotency key leak into the next charge (a fresh SDK client per call)', async () => {
    const first = request();
    const second = request();
    const a = await gateway.charge(first);
    const b = await gateway.charge(second);

    expect(a.reference).not.toBe(b.reference);
    expect(sim.chargesFor(first.purchaseId)).toHaveLength(1);
    expect(sim.chargesFor(second.purchaseId)).toHaveLength(1);
    expect(mercadoPagoIdempotencyKey('charge', first.purchaseId)).toBe(mercadoPagoIdempotencyKey('charge', first.purchaseId));
    expect(mercadoPagoIdempotencyKey('charge', first.purchaseId)).not.toBe(mercadoPagoIdempotencyKey('charge', second.purchaseId));
  });

  it('finds the charge of a purchase', async () => {
    const req = request();
    const charged = await gateway.charge(req);
    expect(await gateway.findByPurchaseId(req.purchaseId, req.purchaseCreatedAt)).toMatchObject({
      reference: charged.reference,
      status: 'approved',
    });
    expect(await gateway.findByPurchaseId(purchaseId(), new Date())).toBeNull();
  });

  it('fails for good, with a Spanish message, when a token was already spent by another purchase', async () => {
    const cardToken = token('approved');
    await gateway.charge(request({ cardToken }));
    const error = await failureOf(gateway.charge(request({ cardToken })));
    expect(error).toMatchObject({
      code: 'PAYMENT_GATEWAY_REJECTED',
      retryable: false,
      message: '❌ Token de pago inválido o expirado.',
      details: { gateway: 'mercado_pago', httpStatus: 400, gatewayCode: '2006' },
    });
  });

  it('refunds the whole charge once, however often it is asked', async () => {
    const charged = await gateway.charge(request({ amountCents: 1999 }));
    expect(await gateway.refund(charged.reference)).toMatchObject({
      status: 'refunded',
      gatewayStatus: 'refunded',
      refundedCents: 1999,
    });
    expect(await gateway.refund(charged.reference)).toMatchObject({ status: 'refunded', refundedCents: 1999 });
    expect(sim.refunds().filter((r) => r.chargeId === charged.reference)).toEqual([expect.objectContaining({ amountCents: 1999 })]);
  });

  it('refunds part of a charge', async () => {
    const charged = await gateway.charge(request({ amountCents: 5000 }));
    expect(await gateway.refund(charged.reference, 1250)).toMatchObject({
      status: 'refunded',
      gatewayStatus: 'approved',
      code: 'partially_refunded',
      refundedCents: 1250,
    });
    expect(sim.refunds().filter((r) => r.chargeId === charged.reference)).toEqual([expect.objectContaining({ amountCents: 1250 })]);
  });

  it('cancels a pending charge, and cancelling again changes nothing', async () => {
    const pending = await gateway.charge(request({ cardToken: token('pending_approve') }));
    expect(await gateway.cancel(pending.reference)).toMatchObject({
      status: 'cancelled',
      gatewayStatus: 'cancelled',
      message: 'El pago fue cancelado.',
    });
    expect(await gateway.cancel(pending.reference)).toMatchObject({ status: 'cancelled' });
    expect(sim.cancels().filter((id) => id === pending.reference)).toHaveLength(1);
  });

  it('reports an unknown payment as not found (final)', async () => {
    expect(await failureOf(gateway.getStatus('999999'))).toMatchObject({ code: 'PAYMENT_NOT_FOUND', retryable: false });
  });

  it('refuses to build a gateway without an access token', () => {
    expect(() => createMercadoPagoGateway({ accessToken: '', baseUrl: sim.url, timeoutMs: 1_000 })).toThrow(
      expect.objectContaining({
        code: 'PAYMENT_NOT_CONFIGURED',
        retryable: false,
        message: 'La empresa no tiene configurado Mercado Pago',
      }),
    );
  });

  it('fails for good with a wrong access token', async () => {
    const wrong = createMercadoPagoGateway({ accessToken: 'TEST-wrong', baseUrl: sim.url, timeoutMs: 2_000 });
    expect(await failureOf(wrong.charge(request()))).toMatchObject({
      code: 'PAYMENT_NOT_CONFIGURED',
      retryable: false,
    });
  });

  it('refuses a charge without the card data Mercado Pago needs', async () => {
    const req = request({ mercadoPago: undefined });
    expect(await failureOf(gateway.charge(req))).toMatchObject({ code: 'PAYMENT_GATEWAY_REJECTED', retryable: false });
    expect(sim.chargesFor(req.purchaseId)).toHaveLength(0);
  });
});
