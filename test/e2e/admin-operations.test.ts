import { AuditLogEntity, CompanyEntity, TelegramTestEntity } from '../../db/entities';
import { buy, purchase, routerUser, statusTrail, waitForStatus } from '../helpers/purchases';
import { createAdmin } from '../helpers/fixtures';
import { historyText } from '../helpers/histories';
import { adminSession, eventually, startStack, type TestStack } from '../helpers/stack';

/**
 * Admin operations against a real Temporal worker, the router simulator and the gateway simulators: the purchase actions
 * (refund, revoke, extend) and the operations that reach a router or a gateway (profiles, connection test, Telegram
 * test, Conekta webhook key).
 */

describe('admin operations through the workflows', () => {
  let s: TestStack;
  let auth: { authorization: string };
  beforeAll(async () => {
    s = await startStack();
    auth = await adminSession(s, await createAdmin(s.db.dataSource, { role: 'cliente_admin', companyId: s.company.id }));
  }, 60_000);
  afterAll(() => s?.close());

  const post = (url: string, payload: Record<string, unknown> = {}) => s.app.inject({ method: 'POST', url, headers: auth, payload });

  it('refunds through the workflow: the gateway shows the refund and the router loses the user', async () => {
    const bought = (await buy(s, 'conekta')).json();
    const response = await post(`/api/v1/admin/purchases/${bought.id_compra}/refund`, { motivo: 'Cliente sin servicio' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ compra_id: bought.id_compra, estado: 'refunded' });
    const row = await purchase(s, bought.id_compra);
    expect(row).toMatchObject({ status: 'refunded', statusReason: 'ADMIN_REFUND', refundedCents: 2000 });
    expect(s.conekta.refunds()).toContainEqual(expect.objectContaining({ chargeId: row.gatewayReference, amountCents: 2000 }));
    expect(routerUser(s, row.hotspotUsername)).toBeUndefined();
    const audit = await s.db.dataSource.getRepository(AuditLogEntity).findBy({ targetId: row.id });
    expect(audit).toEqual([expect.objectContaining({ action: 'purchase.refund', companyId: s.company.id })]);

    const again = await post(`/api/v1/admin/purchases/${bought.id_compra}/refund`);
    expect(again.statusCode).toBe(409);
    expect(s.conekta.refunds().filter((r) => r.chargeId === row.gatewayReference)).toHaveLength(1);
  });

  it('revokes access without refunding, and extends the expiry of another purchase', async () => {
    const revoked = (await buy(s, 'mercado_pago')).json();
    expect((await post(`/api/v1/admin/purchases/${revoked.id_compra}/revoke`)).json()).toMatchObject({ estado: 'revoked' });
    expect(routerUser(s, revoked.usuario_hotspot.usuario)).toBeUndefined();
    expect(s.mercadoPago.refunds()).toHaveLength(0);

    const extended = (await buy(s, 'conekta')).json();
    const before = await purchase(s, extended.id_compra);
    const response = await post(`/api/v1/admin/purchases/${extended.id_compra}/extend`, { minutos: 30 });
    expect(response.statusCode).toBe(200);
    const after = await purchase(s, extended.id_compra);
    expect(after.expiresAt!.getTime() - before.expiresAt!.getTime()).toBe(30 * 60_000);
    expect(response.json().expira_en).toBe(after.expiresAt!.toISOString());
    expect(after.status).toBe('active');
    expect(await statusTrail(s, after.id)).toEqual(['created', 'charging', 'paid', 'active']);
  });

  it('reads the live hotspot profiles with every field, and tests the connection', async () => {
    const profiles = await s.app.inject({ method: 'GET', url: `/api/v1/admin/routers/${s.routerRow.id}/mikrotik-profiles`, headers: auth });
    expect(profiles.statusCode).toBe(200);
    const list = profiles.json() as Record<string, unknown>[];
    const daily = list.find((p) => p.name === '1d-5M');
    expect(daily).toMatchObject({
      id: expect.stringMatching(/^\*/),
      rate_limit: '5M/5M',
      session_timeout: '1d',
      idle_timeout: '30m',
      keepalive_timeout: '2m',
      status_autorefresh: '1m',
      shared_users: '1',
      address_list: 'paid',
      mac_cookie_timeout: '1d',
    });

    const ok = await s.app.inject({ method: 'GET', url: `/api/v1/admin/routers/${s.routerRow.id}/test-connection`, headers: auth });
    expect(ok.json()).toMatchObject({ success: true, message: 'Conexión exitosa', router_name: 'MikroTik' });
    await s.router.setFaults({ refuseConnections: true }); // the pooled connection is already logged in: take the router down
    const refused = await s.app.inject({ method: 'GET', url: `/api/v1/admin/routers/${s.routerRow.id}/test-connection`, headers: auth });
    await s.router.setFaults({ refuseConnections: false });
    expect(refused.json()).toMatchObject({ success: false, message: 'Error de conexión' });
    expect(refused.body).not.toContain('router-secret');
  });

  it('tests Telegram settings not saved yet, keeping the token out of the workflow input and history', async () => {
    const token = '987654321:AAH-unsaved-token_for-the-test';
    const sent = await post('/api/v1/admin/test-telegram', { token, chat_id: '-100777' });
    expect(sent.statusCode).toBe(200);
    expect(s.telegram.messages().at(-1)).toMatchObject({ botToken: token, chatId: '-100777' });
    expect(await s.db.dataSource.getRepository(TelegramTestEntity).count()).toBe(0);

    const runs = await eventually(async () => {
      const found = [];
      for await (const run of s.workflows.client.workflow.list({ query: `WorkflowType = 'telegramTestWorkflow'` })) {
        if (run.workflowId.startsWith(`telegram-test:${s.company.id}:`)) found.push(run);
      }
      return found.length > 0 && found;
    });
    for (const run of runs) {
      const history = await s.workflows.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      const text = historyText(history);
      expect(text).toContain(s.company.id); // the payloads are read: the input is there
      expect(text).not.toContain('unsaved-token');
    }

    const malformed = await post('/api/v1/admin/test-telegram', { token: '999:x/../../bot1:y/sendMessage#', chat_id: '-100777' });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json().detail).toEqual([{ loc: ['body', 'token'], msg: 'Token de bot de Telegram inválido', type: 'value_error' }]);
  });

  it('sends the Telegram test message and registers the Conekta webhook key', async () => {
    const sent = await post('/api/v1/admin/test-telegram');
    expect(sent.statusCode).toBe(200);
    expect(s.telegram.messages().at(-1)).toMatchObject({ chatId: '-1001', text: expect.stringContaining('Prueba de Conexión') });

    await s.db.dataSource.getRepository(CompanyEntity).update({ id: s.company.id }, { conektaWebhookPublicKey: null });
    const registered = await post('/api/v1/admin/mi-empresa/conekta/webhook-key');
    expect(registered.statusCode).toBe(200);
    const company = await s.db.dataSource.getRepository(CompanyEntity).findOneByOrFail({ id: s.company.id });
    expect(company.conektaWebhookPublicKey).toBe(s.conekta.publicKeyPem);

    // and the key verifies the simulator's signed webhooks again
    const bought = (await buy(s, 'conekta', { scenario: 'pending_approve' })).json();
    s.conekta.settle(s.conekta.chargesFor(bought.id_compra)[0].id, 'approved');
    await waitForStatus(s, bought.id_compra, 'active', 15_000);
  });
});
