import { createConektaGateway } from '../../../activities/payments/conekta';
import type { ChargeRequest, PaymentGateway, PaymentSearch } from '../../../activities/payments/gateway';
import { createMercadoPagoGateway } from '../../../activities/payments/mercadopago';
import type { GatewayPaymentRecord } from '../../../domain/payment';
import { startConektaSimulator } from '../../../sandbox/conekta/server';
import type { GatewaySimulator } from '../../../sandbox/lib/gateway-simulator';
import { startMercadoPagoSimulator } from '../../../sandbox/mercadopago/server';
import { purchaseId, token } from '../../sandbox/payments/helpers';

/** Reconciliation's view of a gateway: every payment changed in a window, page by page, normalised. */

interface Setup {
  account: string;
  start(): Promise<GatewaySimulator>;
  gateway(url: string, account: string): PaymentGateway;
}

const setups: Array<[string, Setup]> = [
  [
    'Conekta',
    {
      account: 'key_search_company_a',
      start: () => startConektaSimulator(),
      gateway: (url, privateKey) => createConektaGateway({ privateKey, baseUrl: url, timeoutMs: 5_000 }),
    },
  ],
  [
    'Mercado Pago',
    {
      account: 'TEST-search-company-a',
      start: () => startMercadoPagoSimulator(),
      gateway: (url, accessToken) => createMercadoPagoGateway({ accessToken, baseUrl: url, timeoutMs: 5_000 }),
    },
  ],
];

const request = (scenario: string, amountCents = 2000): ChargeRequest => ({
  purchaseId: purchaseId(),
  purchaseCreatedAt: new Date(),
  amountCents,
  currency: 'MXN',
  cardToken: token(scenario),
  customer: { name: 'Ana', email: 'ana@example.com' },
  description: 'Ficha 1 hora',
  metadata: { company_id: 'EMP_A' },
  threeDSecure: false,
  mercadoPago: { paymentMethodId: 'visa', installments: 1 },
});

const minutes = (n: number) => n * 60_000;

describe.each(setups)('%s payment search', (_name, setup) => {
  let sim: GatewaySimulator;
  let gateway: PaymentGateway;

  beforeEach(async () => {
    sim = await setup.start();
    gateway = setup.gateway(sim.url, setup.account);
  });
  afterEach(() => sim.close());

  /** Every page of a window, as reconciliation walks it. */
  async function searchAll(window: Omit<PaymentSearch, 'cursor'>, client = gateway): Promise<{ items: GatewayPaymentRecord[]; pages: number }> {
    const items: GatewayPaymentRecord[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.searchPayments({ ...window, cursor });
      items.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    return { items, pages };
  }
  const lastHour = () => ({ updatedFrom: new Date(Date.now() - minutes(60)).toISOString(), updatedTo: new Date(Date.now() + minutes(1)).toISOString() });

  it('normalises what happened to each payment: approved, refunded, partially refunded, charged back, in dispute, pending, declined', async () => {
    const charge = async (scenario: string, amountCents?: number) => {
      const req = request(scenario, amountCents);
      return { req, outcome: await gateway.charge(req) };
    };
    const approved = await charge('approved');
    const refunded = await charge('approved');
    const partial = await charge('approved', 5000);
    const chargedBack = await charge('approved');
    const disputed = await charge('approved');
    const pending = await charge('pending_approve');
    const declined = await charge('declined');
    sim.refundFromDashboard(refunded.outcome.reference);
    sim.refundFromDashboard(partial.outcome.reference, 1250);
    sim.chargeBack(chargedBack.outcome.reference);
    sim.dispute(disputed.outcome.reference);
    const orphan = sim.addCharge({ account: setup.account, purchaseId: purchaseId(), metadata: { company_id: 'EMP_A' }, amountCents: 3000 });
    const foreign = sim.addCharge({ account: setup.account, amountCents: 4000 });

    const { items } = await searchAll(lastHour());
    const byReference = new Map(items.map((item) => [item.reference, item]));
    const record = (charge: { reference: string } | { id: string }) => byReference.get('id' in charge ? charge.id : charge.reference);

    expect(items).toHaveLength(9);
    expect(record(approved.outcome)).toEqual({
      purchaseId: approved.req.purchaseId,
      companyId: 'EMP_A',
      reference: approved.outcome.reference,
      status: 'approved',
      gatewayStatus: expect.any(String),
      amountCents: 2000,
      refundedCents: 0,
      currency: 'MXN',
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    expect(record(refunded.outcome)).toMatchObject({ status: 'refunded', reversal: 'refunded', refundedCents: 2000 });
    expect(record(partial.outcome)).toMatchObject({ status: 'refunded', reversal: 'partially_refunded', refundedCents: 1250, amountCents: 5000 });
    expect(record(chargedBack.outcome)).toMatchObject({ status: 'charged_back', reversal: 'charged_back' });
    expect(record(disputed.outcome)).toMatchObject({ status: 'charged_back', reversal: 'in_dispute' });
    expect(record(pending.outcome)).toMatchObject({ status: 'pending', purchaseId: pending.req.purchaseId });
    expect(record(declined.outcome)).toMatchObject({ status: 'declined' });
    expect(record(orphan)).toMatchObject({ purchaseId: orphan.purchaseId, companyId: 'EMP_A', status: 'approved', amountCents: 3000 });
    expect(record(foreign)).toMatchObject({ status: 'approved', amountCents: 4000 });
    expect(record(foreign)).not.toHaveProperty('purchaseId');
    for (const item of items.filter((i) => i.reference !== refunded.outcome.reference)) {
      expect(Date.parse(item.updatedAt)).toBeGreaterThanOrEqual(Date.parse(item.createdAt));
    }
  });

  it('tells the same reversals apart in the status lookup', async () => {
    const charges = await Promise.all(['approved', 'approved', 'approved', 'approved'].map((s) => gateway.charge(request(s, 4000))));
    const [refunded, partial, chargedBack, disputed] = charges.map((c) => c.reference);
    sim.refundFromDashboard(refunded);
    sim.refundFromDashboard(partial, 1000);
    sim.chargeBack(chargedBack);
    sim.dispute(disputed);

    expect(await gateway.getStatus(refunded)).toMatchObject({ status: 'refunded', reversal: 'refunded', refundedCents: 4000 });
    expect(await gateway.getStatus(partial)).toMatchObject({ status: 'refunded', reversal: 'partially_refunded', refundedCents: 1000 });
    expect(await gateway.getStatus(chargedBack)).toMatchObject({ status: 'charged_back', reversal: 'charged_back' });
    expect(await gateway.getStatus(disputed)).toMatchObject({ status: 'charged_back', reversal: 'in_dispute' });

    sim.chargeBack(disputed); // the dispute is lost
    expect(await gateway.getStatus(disputed)).toMatchObject({ status: 'charged_back', reversal: 'charged_back' });
    expect((await gateway.getStatus(charges[0].reference)).reversal).toBe('refunded');
  });

  it('lists only the window, only this account, every payment once across pages', async () => {
    const old = Date.now() - 10 * 24 * 3_600_000;
    sim.addCharge({ account: setup.account, purchaseId: purchaseId(), amountCents: 1000, createdAt: old });
    sim.addCharge({ account: 'another-company-key', purchaseId: purchaseId(), amountCents: 1000 });
    // Many at the very same instant: paging must neither skip nor repeat any of them.
    const at = Date.now() - minutes(5);
    const made = Array.from({ length: 260 }, () => sim.addCharge({ account: setup.account, purchaseId: purchaseId(), amountCents: 1000, createdAt: at }));

    const { items, pages } = await searchAll({
      updatedFrom: new Date(Date.now() - 7 * 24 * 3_600_000).toISOString(),
      updatedTo: new Date().toISOString(),
    });

    expect(items.map((i) => i.reference).sort()).toEqual(made.map((c) => c.id).sort());
    expect(pages).toBeGreaterThan(1);
    expect(await searchAll(lastHour(), setup.gateway(sim.url, 'another-company-key'))).toMatchObject({ items: [expect.objectContaining({ amountCents: 1000 })] });
  });

  it('picks up a payment the dashboard refunded after it was made: the refund moves it into a later window', async () => {
    const charged = await gateway.charge(request('approved'));
    sim.setClockOffset(minutes(30)); // the refund comes half an hour later
    sim.refundFromDashboard(charged.reference);

    const later = { updatedFrom: new Date(Date.now() + minutes(20)).toISOString(), updatedTo: new Date(Date.now() + minutes(40)).toISOString() };
    const { items } = await searchAll(later);
    expect(items).toEqual([expect.objectContaining({ reference: charged.reference, reversal: 'refunded' })]);
    expect(sim.refunds()).toEqual([expect.objectContaining({ chargeId: charged.reference, source: 'dashboard' })]);
  });

  it('slows down instead of failing when the gateway rate-limits it (429, Retry-After)', async () => {
    for (let i = 0; i < 260; i++) sim.addCharge({ account: setup.account, purchaseId: purchaseId(), amountCents: 1000 });
    sim.setRateLimit(1);
    const started = Date.now();

    const { items, pages } = await searchAll(lastHour());

    expect(items).toHaveLength(260);
    const limited = sim.apiCalls().recent.filter((c) => c.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual((pages - 1) * 900);
  });

  it('refuses a window that is not one and a cursor it did not make, for good', async () => {
    await expect(gateway.searchPayments({ updatedFrom: 'ayer', updatedTo: new Date().toISOString() })).rejects.toMatchObject({ retryable: false });
    const later = new Date().toISOString();
    await expect(gateway.searchPayments({ updatedFrom: later, updatedTo: new Date(0).toISOString() })).rejects.toMatchObject({ retryable: false });
    await expect(gateway.searchPayments({ ...lastHour(), cursor: '%%%' })).rejects.toMatchObject({ retryable: false });
  });
});
