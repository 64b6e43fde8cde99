import { createAdmin } from '../helpers/fixtures';
import { buy, purchase, routerUser, waitForStatus } from '../helpers/purchases';
import { adminSession, mistypeRouterPassword, startStack, type TestStack } from '../helpers/stack';

/**
 * An admin action on a purchase whose router is down: the workflow retries the removal until the router returns, so
 * the request must not wait for it (it used to hang, and every retry of the request piled up another update until
 * Temporal refused them and the API answered 500).
 */
describe('admin actions while the router is down', () => {
  let s: TestStack;
  let auth: { authorization: string };
  beforeAll(async () => {
    s = await startStack({ config: { PURCHASE_RESPONSE_WAIT_SECONDS: '3' } });
    auth = await adminSession(s, await createAdmin(s.db.dataSource, { role: 'cliente_admin', companyId: s.company.id }));
  }, 60_000);
  afterAll(() => s?.close());

  const post = (url: string, payload: Record<string, unknown> = {}) => s.app.inject({ method: 'POST', url, headers: auth, payload });

  it('answers 202 after the wait, refuses another action meanwhile (409), and refunds once the router is back', async () => {
    const bought = (await buy(s, 'conekta')).json();
    await s.router.setFaults({ refuseConnections: true });
    try {
      const started = Date.now();
      const refund = await post(`/api/v1/admin/purchases/${bought.id_compra}/refund`, { motivo: 'Router caído' });
      expect(refund.statusCode).toBe(202);
      expect(refund.json()).toMatchObject({ compra_id: bought.id_compra, estado: 'active', expira_en: null });
      expect(Date.now() - started).toBeLessThan(15_000);

      for (const [action, body] of [['revoke', {}], ['extend', { minutos: 5 }], ['refund', {}]] as const) {
        const other = await post(`/api/v1/admin/purchases/${bought.id_compra}/${action}`, body);
        expect([action, other.statusCode, other.json()]).toEqual([action, 409, { detail: 'Ya hay una acción en curso para esta compra' }]);
      }
    } finally {
      await s.router.setFaults({ refuseConnections: false });
    }

    const refunded = await waitForStatus(s, bought.id_compra, 'refunded', 60_000);
    expect(refunded.refundedCents).toBe(2000);
    expect(s.conekta.refunds().filter((r) => r.chargeId === refunded.gatewayReference)).toHaveLength(1);
    expect(routerUser(s, (await purchase(s, bought.id_compra)).hotspotUsername)).toBeUndefined();
  }, 120_000);

  it('answers 409 when the purchase ends while its action waits (an operator terminates the workflow), never a 500', async () => {
    const bought = (await buy(s, 'conekta')).json();
    const { workflowId } = await purchase(s, bought.id_compra);
    await s.router.setFaults({ refuseConnections: true });
    try {
      const revoke = post(`/api/v1/admin/purchases/${bought.id_compra}/revoke`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await s.workflows.client.workflow.getHandle(workflowId).terminate('operator');
      const answer = await revoke;
      expect([answer.statusCode, answer.json()]).toEqual([409, { detail: 'La compra ya no está en curso' }]);
    } finally {
      await s.router.setFaults({ refuseConnections: false });
    }
  }, 60_000);

  it('keeps revoking while the router refuses our login (its API password mistyped), and finishes once it is put right', async () => {
    const bought = (await buy(s, 'mercado_pago')).json();
    const putRight = await mistypeRouterPassword(s);
    try {
      const revoke = await post(`/api/v1/admin/purchases/${bought.id_compra}/revoke`, { motivo: 'Contraseña del router cambiada' });
      expect(revoke.statusCode).toBe(202);
      // Still running, waiting for the router: never given up with the user left on it.
      const again = await post(`/api/v1/admin/purchases/${bought.id_compra}/revoke`);
      expect([again.statusCode, again.json()]).toEqual([409, { detail: 'Ya hay una acción en curso para esta compra' }]);
    } finally {
      await putRight();
    }

    const revoked = await waitForStatus(s, bought.id_compra, 'revoked', 60_000);
    expect(routerUser(s, revoked.hotspotUsername)).toBeUndefined();
  }, 120_000);
});
