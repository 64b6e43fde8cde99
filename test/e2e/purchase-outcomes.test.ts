import { MESSAGES } from '../../domain/messages';
import { buy, chargeOf, events, GATEWAYS, purchase, routerUser, simulatorOf, statusTrail, waitForStatus } from '../helpers/purchases';
import { historyText } from '../helpers/histories';
import { eventually, startStack, type TestStack } from '../helpers/stack';

/** Every outcome of a purchase, for each gateway: approved, declined, pending (webhook, lost webhook, bound), 3-D Secure. */
describe.each(GATEWAYS)('purchase through %s', (gateway) => {
  let s: TestStack;
  // Status polling is slow here, so a purchase that completes quickly was completed by its webhook.
  beforeAll(async () => {
    s = await startStack({ config: { PAYMENT_STATUS_POLL_SECONDS: '60', PAYMENT_PENDING_MAX_SECONDS: '120' } });
  }, 60_000);
  afterAll(() => s?.close());

  it('approved: credentials in one request, user enabled on the router, purchase active with its expiry', async () => {
    const before = Date.now();
    const response = await buy(s, gateway, { scenario: 'approved', body: { tipo_usuario: 'usuario_contrasena' } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      success: true,
      estado_pago: gateway === 'conekta' ? 'paid' : 'approved',
      tipo_usuario: 'usuario_contrasena',
      usuario_hotspot: { usuario: expect.stringMatching(/^PT-[A-Z0-9]{5}$/), contrasena: expect.stringMatching(/^\d{4}$/) },
      producto: { nombre: '1 hora', precio: 20, moneda: 'MXN', perfil_mikrotik: 'default' },
      cliente: { nombre: 'Ana López', email: 'ana@example.com' },
      vigencia_segundos: 3600,
      url_estado: `${s.baseUrl}/api/v1/purchases/${body.id_compra}`,
      auto_conexion: { estado: 'no_conectado', mac: '', ip: '', verificado: false, session_id: null },
    });
    if (gateway === 'mercado_pago') expect(body.mercado_pago).toMatchObject({ status: 'approved', raw_response: {} });

    const row = await purchase(s, body.id_compra);
    expect(row).toMatchObject({ status: 'active', gatewayReference: body.id_transaccion, amountCents: 2000, cardTokenEncrypted: null });
    expect(row.expiresAt!.getTime() - row.activatedAt!.getTime()).toBe(3600 * 1000);
    expect(row.activatedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await statusTrail(s, row.id)).toEqual(['created', 'charging', 'paid', 'active']);

    const user = routerUser(s, body.usuario_hotspot.usuario);
    expect(user).toMatchObject({ disabled: 'false', password: body.usuario_hotspot.contrasena, profile: 'default', comment: `pagos-hotspot:${row.id}` });
    expect(chargeOf(s, gateway, row.id).amountCents).toBe(2000);
    await eventually(() => s.telegram.messages().some((m) => m.text.includes('Pago Aprobado') && m.text.includes(body.usuario_hotspot.usuario)), 20_000, 'telegram');
    // The notice was queued by the activation's own statement: no activity of the sale's, one message, the outbox emptied.
    const scheduled = ((await s.workflows.client.workflow.getHandle(row.workflowId).fetchHistory()).events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled).toEqual([]);
    await eventually(async () => (await s.db.dataSource.query(`SELECT 1 FROM operator_notices WHERE purchase_id = $1`, [row.id])).length === 0, 10_000, 'the outbox emptied');
    expect(s.telegram.messages().filter((m) => m.text.includes('Pago Aprobado') && m.text.includes(body.usuario_hotspot.usuario))).toHaveLength(1);

    const status = await s.app.inject({ method: 'GET', url: `/api/v1/purchases/${row.id}`, headers: { 'x-api-key': s.apiKey } });
    expect(status.json()).toMatchObject({ estado: 'active', siguiente_accion: 'ninguna', usuario_hotspot: body.usuario_hotspot });

    if (gateway === 'conekta') {
      // The order's own `order.paid` notice is recorded but wakes nothing: it confirms what the charge answered.
      await eventually(async () => (await events(s, row.id)).some((e) => e.type === 'webhook_received'), 10_000, 'order.paid recorded');
      const history = (await s.workflows.client.workflow.getHandle(row.workflowId).fetchHistory()).events ?? [];
      expect(history.filter((e) => e.workflowExecutionSignaledEventAttributes)).toEqual([]);
    }
  });

  it('PIN user: a 5-digit PIN and no password; the PIN (its secret) is not in the workflow history', async () => {
    const response = await buy(s, gateway, { body: { tipo_usuario: 'pin' } });
    expect(response.statusCode).toBe(200);
    const { usuario_hotspot: user, id_compra: id } = response.json();
    expect(user).toEqual({ usuario: expect.stringMatching(/^PT-\d{5}$/), contrasena: '' });
    expect(routerUser(s, user.usuario)?.password ?? '').toBe('');
    const text = historyText(await s.workflows.client.workflow.getHandle((await purchase(s, id)).workflowId).fetchHistory());
    expect(text).toContain(id); // the payloads are read: the input is there
    expect(text).not.toContain(user.usuario);
  });

  it('declined: 402 with the gateway message, user removed, nothing enabled', async () => {
    const response = await buy(s, gateway, { scenario: 'insufficient_funds' });
    expect(response.statusCode).toBe(402);
    expect(response.json().detail).toMatch(/[Ff]ondos insuficientes/);
    const [charge] = simulatorOf(s, gateway).charges().slice(-1);
    const row = await waitForStatus(s, charge.purchaseId!, 'declined');
    expect(await statusTrail(s, row.id)).toEqual(['created', 'charging', 'declined']);
    await eventually(() => routerUser(s, row.hotspotUsername) === undefined, 10_000, 'user removed');
  });

  it('pending → webhook approved → active', async () => {
    const response = await buy(s, gateway, { scenario: 'pending_approve' });
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body).toMatchObject({ success: false, estado: 'pending', requiere_accion: false, redirect_url: null, advertencia: MESSAGES.paymentPending });
    const row = await purchase(s, body.id_compra);
    expect(routerUser(s, row.hotspotUsername)).toMatchObject({ disabled: 'true' }); // no access while pending
    simulatorOf(s, gateway).settle(chargeOf(s, gateway, row.id).id, 'approved');
    const active = await waitForStatus(s, row.id, 'active', 15_000);
    expect(routerUser(s, active.hotspotUsername)).toMatchObject({ disabled: 'false' });
    expect((await events(s, row.id)).some((e) => e.type === 'webhook_received' && e.source === 'webhook')).toBe(true);
  });

  it('pending → webhook rejected → user removed', async () => {
    const body = (await buy(s, gateway, { scenario: 'pending_reject' })).json();
    const row = await purchase(s, body.id_compra);
    simulatorOf(s, gateway).settle(chargeOf(s, gateway, row.id).id, 'declined');
    await waitForStatus(s, row.id, 'declined');
    await eventually(() => routerUser(s, row.hotspotUsername) === undefined, 10_000, 'user removed');
  });

  it('3-D Secure: redirect URL returned, then confirmation → active', async () => {
    const response = await buy(s, gateway, { scenario: '3ds' });
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body).toMatchObject({ estado: 'pending', requiere_accion: true, redirect_url: expect.stringMatching(/^http/) });
    const status = await s.app.inject({ method: 'GET', url: `/api/v1/purchases/${body.id_compra}`, headers: { 'x-api-key': s.apiKey } });
    expect(status.json()).toMatchObject({ estado: 'pending', siguiente_accion: 'redirigir', redirect_url: body.redirect_url, usuario_hotspot: null });
    simulatorOf(s, gateway).completeThreeDs(chargeOf(s, gateway, body.id_compra).id, 'approved');
    // the bank sends the customer back to us: a page for the customer, and a nudge for the workflow
    const back = await s.app.inject({ method: 'GET', url: `/api/v1/purchases/${body.id_compra}/retorno` });
    expect(back.statusCode).toBe(200);
    expect(back.headers['content-type']).toMatch(/text\/html/);
    await waitForStatus(s, body.id_compra, 'active');
  });
});

describe.each(GATEWAYS)('pending purchase through %s without its webhook', (gateway) => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack({ config: { PAYMENT_STATUS_POLL_SECONDS: '1', PAYMENT_PENDING_MAX_SECONDS: '6' } });
  }, 60_000);
  afterAll(() => s?.close());

  it('pending with the webhook lost → status polling completes it', async () => {
    const sim = simulatorOf(s, gateway);
    sim.webhooks.configure({ hold: true }); // every notification is held back: lost, as far as we know
    const body = (await buy(s, gateway, { scenario: 'pending_approve' })).json();
    const row = await purchase(s, body.id_compra);
    sim.settle(chargeOf(s, gateway, row.id).id, 'approved');
    await waitForStatus(s, row.id, 'active', 15_000);
    expect((await events(s, row.id)).some((e) => e.type === 'webhook_received')).toBe(false);
    sim.webhooks.reset();
  });

  it('pending past the bound → charge cancelled, user removed', async () => {
    const body = (await buy(s, gateway, { scenario: 'pending_approve' })).json();
    const row = await purchase(s, body.id_compra);
    const cancelled = await waitForStatus(s, row.id, 'cancelled', 20_000);
    expect(cancelled.customerMessage).toBe(MESSAGES.paymentCancelled);
    expect(simulatorOf(s, gateway).cancels()).toContain(chargeOf(s, gateway, row.id).id);
    await eventually(() => routerUser(s, row.hotspotUsername) === undefined, 10_000, 'user removed');
  }, 30_000);
});
