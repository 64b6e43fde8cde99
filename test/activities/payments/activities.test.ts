import { randomUUID } from 'node:crypto';
import { createPaymentActivities } from '../../../activities/payments/activities';
import { createConektaGateway } from '../../../activities/payments/conekta';
import { PaymentGatewayError } from '../../../activities/payments/gateway';
import { createMercadoPagoGateway } from '../../../activities/payments/mercadopago';
import { PurchaseEntity, type CompanyEntity } from '../../../db/entities';
import type { Gateway } from '../../../domain/purchase';
import { startConektaSimulator, type ConektaSimulator } from '../../../sandbox/conekta/server';
import { startMercadoPagoSimulator, type MercadoPagoSimulator } from '../../../sandbox/mercadopago/server';
import { SecretBox } from '../../../shared/secrets';
import { testConfig } from '../../helpers/config';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { createCompany, createRouter } from '../../helpers/fixtures';
import { token } from '../../sandbox/payments/helpers';

const CONEKTA_KEY = 'key_activities_private';
const MP_TOKEN = 'TEST-activities-access-token';
/** Short enough that a `timeout` card's lost answer fails the attempt quickly. */
const IMPATIENT_MS = 300;
const HOURS_AGO = 2 * 3_600_000;

/**
 * The charge activity against the real database and the simulators, with the simulators' searches as narrow as the
 * gateways document them: a charge whose answer is lost is retried and charged once, however late the retry.
 */
describe('payment activities', () => {
  let db: TestDatabase;
  let conekta: ConektaSimulator;
  let mercadoPago: MercadoPagoSimulator;
  let company: CompanyEntity;
  let routerId: string;
  const secrets = new SecretBox(testConfig().SECRET_KEY);
  let activities: ReturnType<typeof createPaymentActivities>;

  beforeAll(async () => {
    [db, conekta, mercadoPago] = await Promise.all([createTestDatabase(), startConektaSimulator({ privateKey: CONEKTA_KEY }), startMercadoPagoSimulator({ accessToken: MP_TOKEN })]);
    company = await createCompany(db.dataSource);
    routerId = (await createRouter(db.dataSource, secrets, company.id)).id;
    activities = createPaymentActivities({
      dataSource: db.dataSource,
      secrets,
      gateways: (_company, gateway) =>
        gateway === 'conekta'
          ? createConektaGateway({ privateKey: CONEKTA_KEY, baseUrl: conekta.url, timeoutMs: IMPATIENT_MS })
          : createMercadoPagoGateway({ accessToken: MP_TOKEN, baseUrl: mercadoPago.url, timeoutMs: IMPATIENT_MS }),
      publicBaseUrl: 'https://pagos.example',
      createConektaWebhookKey: () => Promise.reject(new Error('not used')),
    });
  });
  afterAll(async () => {
    await Promise.all([conekta.close(), mercadoPago.close()]);
    await db.drop();
  });

  /** A purchase row as the API writes it, waiting for its charge. */
  function purchaseRow(gateway: Gateway, cardToken: string, values: Partial<PurchaseEntity> = {}): Promise<PurchaseEntity> {
    const id = randomUUID();
    return db.dataSource.getRepository(PurchaseEntity).save({
      id,
      workflowId: `purchase:${company.id}:${id}`,
      companyId: company.id,
      routerId,
      routerName: 'Router Lobby',
      productName: '1 hora',
      profileName: 'default',
      validitySeconds: 3600,
      gateway,
      amountCents: 2000,
      currency: 'MXN',
      customerName: 'Ana López',
      customerEmail: 'ana@example.com',
      userType: 'pin',
      status: 'charging',
      cardTokenEncrypted: secrets.encrypt(cardToken),
      gatewayRequest: gateway === 'mercado_pago' ? { paymentMethodId: 'visa', installments: 1 } : {},
      ...values,
    });
  }
  const row = (id: string) => db.dataSource.getRepository(PurchaseEntity).findOneByOrFail({ id });

  async function lostAnswer(promise: Promise<unknown>): Promise<void> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentGatewayError);
    expect(error).toMatchObject({ code: 'PAYMENT_GATEWAY_UNAVAILABLE', retryable: true, details: { httpStatus: undefined } });
  }

  it('Conekta: a charge whose answer was lost two hours ago is retried and charged once (no search by metadata)', async () => {
    const purchase = await purchaseRow('conekta', token('timeout'), { createdAt: new Date(Date.now() - HOURS_AGO) });
    conekta.setClockOffset(-HOURS_AGO); // the first attempt ran then
    try {
      await lostAnswer(activities.chargePayment(purchase.id));
    } finally {
      conekta.setClockOffset(0);
    }
    expect(conekta.chargesFor(purchase.id)).toHaveLength(1);
    expect((await row(purchase.id)).cardTokenEncrypted).not.toBeNull(); // no answer, nothing recorded yet

    const outcome = await activities.chargePayment(purchase.id);

    const [order] = conekta.chargesFor(purchase.id);
    expect(conekta.chargesFor(purchase.id)).toHaveLength(1);
    // The test company has no operator channel: the workflow is told so with the answer.
    expect(outcome).toMatchObject({ status: 'approved', reference: order.id, operatorsNotified: false });
    const lists = conekta.apiCalls().recent.filter((c) => c.route === '/orders' && c.method === 'GET');
    expect(lists.every((c) => !new URLSearchParams(c.query).has('search'))).toBe(true);
  });

  it('Mercado Pago: a charge whose answer was lost is retried and charged once, by its idempotency key or, once forgotten, by external_reference', async () => {
    const replayed = await purchaseRow('mercado_pago', token('timeout'));
    await lostAnswer(activities.chargePayment(replayed.id));
    expect(await activities.chargePayment(replayed.id)).toMatchObject({ status: 'approved', reference: mercadoPago.chargesFor(replayed.id)[0].id });
    expect(mercadoPago.chargesFor(replayed.id)).toHaveLength(1);

    const forgotten = await purchaseRow('mercado_pago', token('timeout'));
    await lostAnswer(activities.chargePayment(forgotten.id));
    mercadoPago.setClockOffset(25 * 3_600_000);
    try {
      expect(await activities.chargePayment(forgotten.id)).toMatchObject({ status: 'approved', reference: mercadoPago.chargesFor(forgotten.id)[0].id });
    } finally {
      mercadoPago.setClockOffset(0);
    }
    expect(mercadoPago.chargesFor(forgotten.id)).toHaveLength(1);
  });

  it.each<[Gateway]>([['conekta'], ['mercado_pago']])(
    '%s: writes nothing; charged again before its answer was written (the token still in the row), it gets the first charge back',
    async (gateway) => {
      const sim = gateway === 'conekta' ? conekta : mercadoPago;
      const purchase = await purchaseRow(gateway, token('approved'));
      const first = await activities.chargePayment(purchase.id);
      expect(await row(purchase.id)).toMatchObject({ cardTokenEncrypted: purchase.cardTokenEncrypted, gatewayReference: null, status: 'charging' });
      expect(await activities.chargePayment(purchase.id)).toMatchObject({ status: 'approved', reference: first.reference });
      expect(sim.chargesFor(purchase.id)).toHaveLength(1);
    },
  );

  it.each<[Gateway]>([['conekta'], ['mercado_pago']])('%s: finds the charge of a purchase whose reference was never recorded, and tells its reversal', async (gateway) => {
    const sim = gateway === 'conekta' ? conekta : mercadoPago;
    const purchase = await purchaseRow(gateway, token('approved'));
    const charged = await activities.chargePayment(purchase.id);
    // As if the answer had been lost after the token was spent: no token, no reference.
    await db.dataSource.getRepository(PurchaseEntity).update({ id: purchase.id }, { cardTokenEncrypted: null, gatewayReference: null });

    expect(await activities.chargePayment(purchase.id)).toMatchObject({ status: 'approved', reference: charged.reference });
    sim.refundFromDashboard(charged.reference, 500);
    expect(await activities.getPaymentStatus(purchase.id)).toMatchObject({ status: 'refunded', reversal: 'partially_refunded', refundedCents: 500 });
    sim.dispute(charged.reference);
    expect(await activities.getPaymentStatus(purchase.id)).toMatchObject({ status: 'charged_back', reversal: 'in_dispute' });
    expect(sim.chargesFor(purchase.id)).toHaveLength(1);
  });
});
