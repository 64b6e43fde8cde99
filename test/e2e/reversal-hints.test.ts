import { buy, chargeOf, clearFaults, events, GATEWAYS, latestPurchase, routerUser, simulatorOf, waitForReservation, waitForStatus } from '../helpers/purchases';
import { eventually, startStack, type TestStack } from '../helpers/stack';

/**
 * Refund, charge-back and dispute notices reach the purchase: one that arrives between the charge and the activation
 * (the router slow to enable the user) is kept, and once the purchase is active it asks the gateway and removes the
 * access.
 */
describe('reversal notices', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack({ config: { PROVISIONING_DEADLINE_SECONDS: '60' } });
  }, 60_000);
  afterAll(() => s?.close());
  afterEach(() => clearFaults(s));

  it.each(GATEWAYS)('%s: applied after activation: the access is removed and the purchase refunded', async (gateway) => {
    const sim = simulatorOf(s, gateway);
    sim.setLatency(1_000);
    const answer = buy(s, gateway);
    await waitForReservation(s);
    await s.router.setFaults({ refuseConnections: true }); // the user cannot be enabled for now
    const { id } = await eventually(async () => {
      const row = await latestPurchase(s);
      return row?.status === 'paid' ? row : undefined;
    }, 10_000, 'charge approved');
    sim.setLatency(0);

    sim.refundFromDashboard(chargeOf(s, gateway, id).id);
    await sim.webhooks.settled();
    await eventually(async () => (await events(s, id)).some((e) => e.type === 'webhook_received'), 10_000, 'the notice recorded');
    expect((await latestPurchase(s))?.status).toBe('paid');

    await s.router.setFaults({ refuseConnections: false });
    expect((await answer).statusCode).toBe(200); // the customer got the access paid for, briefly
    const row = await waitForStatus(s, id, 'refunded', 30_000);
    expect(row).toMatchObject({ statusReason: 'GATEWAY_REFUND', refundedCents: 2000 });
    expect(routerUser(s, row.hotspotUsername)).toBeUndefined();
    expect((await events(s, id)).filter((e) => e.type === 'status_changed').map((e) => e.toStatus)).toEqual([
      'created',
      'charging',
      'paid',
      'active',
      'refunded',
    ]);
  }, 60_000);

  describe.each(GATEWAYS)('%s: a charge-back or a dispute notified by webhook', (gateway) => {
    it.each(['chargeBack', 'dispute'] as const)('%s → access removed, revoked', async (change) => {
      const body = (await buy(s, gateway)).json<{ id_compra: string; usuario_hotspot: { usuario: string } }>();
      await waitForStatus(s, body.id_compra, 'active');
      simulatorOf(s, gateway)[change](chargeOf(s, gateway, body.id_compra).id);

      expect(await waitForStatus(s, body.id_compra, 'revoked')).toMatchObject({ statusReason: 'CHARGED_BACK' });
      expect(routerUser(s, body.usuario_hotspot.usuario)).toBeUndefined();
      expect((await events(s, body.id_compra)).some((e) => e.type === 'webhook_received')).toBe(true);
    });
  });
});
