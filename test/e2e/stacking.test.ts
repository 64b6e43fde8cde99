import type { ProductEntity } from '../../db/entities';
import { STACKED_REASON, stackTimeUpdate, stackUpdateId } from '../../domain/temporal';
import { MENU } from '../../sandbox/routeros/state';
import { createAdmin, createProduct } from '../helpers/fixtures';
import { buy, chargeOf, events, purchase, purchaseRow, routerUser, statusTrail, waitForStatus } from '../helpers/purchases';
import { historyText } from '../helpers/histories';
import { adminSession, cardToken, eventually, startStack, type TestStack } from '../helpers/stack';

/**
 * Buying more time while connected, against a real worker, PostgreSQL, the router simulator and the gateway
 * simulators: the same plan again for a device with a running purchase adds its time to that purchase (expiry and
 * router limits, the device stays logged in as the same user, no new user); another plan replaces the device's
 * session; a running purchase that ended meanwhile leaves the purchase its own user; and reversals on either side.
 */

const HOUR = 3600_000;

describe('buying more time while connected', () => {
  let s: TestStack;
  let twoHours: ProductEntity;
  let auth: { authorization: string };
  let deviceSeq = 0;
  beforeAll(async () => {
    // The plan counts online time too (limit-uptime 30 minutes within its hour), so the router's limit must follow.
    s = await startStack({ product: { uptimeLimitSeconds: 1800 } });
    twoHours = await createProduct(s.db.dataSource, s.routerRow, { name: '2 horas', validitySeconds: 7200, priceCents: 3500 });
    auth = await adminSession(s, await createAdmin(s.db.dataSource, { role: 'cliente_admin', companyId: s.company.id }));
  }, 60_000);
  afterAll(() => s?.close());

  /** A new device on the hotspot's WiFi. */
  function device(): { mac: string; ip: string } {
    deviceSeq += 1;
    const d = { mac: `02:00:00:00:5A:${deviceSeq.toString(16).padStart(2, '0').toUpperCase()}`, ip: `10.5.60.${deviceSeq + 1}` };
    s.router.attachDevice(d.mac, d.ip);
    return d;
  }

  /** A purchase for `d`, logging it in; answered 200. */
  async function buyFor(d: { mac: string; ip: string }, productId = s.product.id) {
    const response = await buy(s, 'conekta', { productId, body: { mac_cliente: d.mac, ip_cliente: d.ip, conexion_automatica: true } });
    expect(response.statusCode).toBe(200);
    return response.json();
  }

  /** A device with a running purchase, and a second purchase of the same plan whose time was stacked onto it. */
  async function stackedPair() {
    const d = device();
    const first = await buyFor(d);
    const before = await purchase(s, first.id_compra);
    const more = await buyFor(d);
    expect(more.tiempo_sumado).toBe(true);
    return { d, first, before, more };
  }

  /** The router user's limit-uptime follows a change of time just after the change is answered. */
  const limitUptime = (username: string, value: string) =>
    eventually(() => routerUser(s, username)?.['limit-uptime'] === value, 10_000, `${username}'s limit-uptime to be ${value}`);

  const session = (mac: string) => s.router.state.list(MENU.active).find((row) => row['mac-address'] === mac);
  const ofType = async (id: string, type: string) => (await events(s, id)).filter((e) => e.type === type);
  const post = (url: string, payload: Record<string, unknown> = {}) => s.app.inject({ method: 'POST', url, headers: auth, payload });

  it('the same plan stacks: the time goes to the running purchase, the device stays logged in as the same user', async () => {
    const d = device();
    const first = await buyFor(d);
    const username = first.usuario_hotspot.usuario;
    const loggedIn = session(d.mac);
    expect(loggedIn?.user).toBe(username);
    expect(routerUser(s, username)?.['limit-uptime']).toBe('30m');
    const before = await purchase(s, first.id_compra);
    const usersBefore = s.router.state.list(MENU.user).length;

    const more = await buyFor(d);
    expect(more.tiempo_sumado).toBe(true);
    expect(more.usuario_hotspot).toEqual({ usuario: '', contrasena: '' });
    expect(more.auto_conexion.mensaje).toMatch(/Se agregó el tiempo/);
    const running = await purchase(s, first.id_compra);
    expect(running.expiresAt!.getTime() - before.expiresAt!.getTime()).toBe(HOUR);
    expect(more.expira_en).toBe(running.expiresAt!.toISOString());
    // The router: the same user with twice the online time, the same session, no second user once the reserved one goes.
    await limitUptime(username, '1h');
    expect(session(d.mac)).toMatchObject({ '.id': loggedIn!['.id'], user: username });
    const stacked = await purchase(s, more.id_compra);
    expect(stacked).toMatchObject({ status: 'active', statusReason: STACKED_REASON });
    await eventually(() => routerUser(s, stacked.hotspotUsername) === undefined, 10_000, 'the reserved user to be removed');
    expect(s.router.state.list(MENU.user)).toHaveLength(usersBefore);
    // Both histories say it.
    expect(await ofType(first.id_compra, 'time_stacked')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ from_purchase: more.id_compra, seconds: 3600, uptime_seconds: 1800 }) }),
    ]);
    expect(await statusTrail(s, more.id_compra)).toEqual(['created', 'charging', 'paid', 'active']);
    const activated = (await events(s, more.id_compra)).find((e) => e.toStatus === 'active');
    expect(activated?.detail).toMatchObject({ reason: STACKED_REASON, onto_purchase: first.id_compra });
    // The status the portal polls says the same, without credentials.
    const status = await s.app.inject({ method: 'GET', url: `/api/v1/purchases/${more.id_compra}`, headers: { authorization: `Bearer ${s.apiKey}` } });
    expect(status.json()).toMatchObject({ estado: 'active', tiempo_sumado: true, usuario_hotspot: null, expira_en: running.expiresAt!.toISOString() });

    // Exactly once: the same stacking delivered again (a retried activity) is the update already applied.
    const again = await s.workflows.client.workflow.getHandle(running.workflowId).executeUpdate(stackTimeUpdate, {
      args: [{ from: more.id_compra, fromWorkflowId: stacked.workflowId, seconds: 3600, uptimeSeconds: 1800 }],
      updateId: stackUpdateId(more.id_compra),
    });
    expect(again.expiresAt).toBe(running.expiresAt!.toISOString());
    expect((await purchase(s, first.id_compra)).expiresAt).toEqual(running.expiresAt);
    expect(await ofType(first.id_compra, 'time_stacked')).toHaveLength(1);
    expect(routerUser(s, username)?.['limit-uptime']).toBe('1h');
  });

  it('stacks exactly once when the worker was down as the purchase arrived and starts again', async () => {
    const d = device();
    const first = await buyFor(d);
    const before = await purchase(s, first.id_compra);
    await s.stopWorker();
    // The purchase arrives with no worker: its workflow waits, then runs (reserve, charge, stack) once one is back.
    const answer = buy(s, 'conekta', { body: { mac_cliente: d.mac, ip_cliente: d.ip, conexion_automatica: true } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await s.startWorker();
    const more = await answer;
    expect(more.statusCode).toBe(200);
    expect(more.json().tiempo_sumado).toBe(true);
    expect((await purchase(s, first.id_compra)).expiresAt!.getTime() - before.expiresAt!.getTime()).toBe(HOUR);
    expect(await ofType(first.id_compra, 'time_stacked')).toHaveLength(1);
    expect(session(d.mac)?.user).toBe(first.usuario_hotspot.usuario);
  });

  it('another plan replaces the session: a new user, the device logged out of the old one and in as the new', async () => {
    const d = device();
    const first = await buyFor(d);
    expect(session(d.mac)?.user).toBe(first.usuario_hotspot.usuario);

    const other = await buyFor(d, twoHours.id);
    expect(other.tiempo_sumado).toBe(false);
    expect(other.usuario_hotspot.usuario).not.toBe(first.usuario_hotspot.usuario);
    expect(other.auto_conexion).toMatchObject({ estado: 'conectado', verificado: true });
    expect(s.router.state.list(MENU.active).filter((row) => row['mac-address'] === d.mac)).toEqual([
      expect.objectContaining({ user: other.usuario_hotspot.usuario }),
    ]);
    // The old purchase keeps its own (paid) time and user; its history is untouched by the other plan.
    expect(await purchase(s, first.id_compra)).toMatchObject({ status: 'active' });
    expect(routerUser(s, first.usuario_hotspot.usuario)).toBeDefined();
    expect(await ofType(first.id_compra, 'time_stacked')).toHaveLength(0);
    expect(await ofType(other.id_compra, 'auto_connect')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ connected: true, replacedSession: true, replacedPurchase: first.id_compra }) }),
    ]);
    // The replaced user's name (a PIN user's secret) is not in the new purchase's history.
    const { workflowId } = await purchase(s, other.id_compra);
    expect(historyText(await s.workflows.client.workflow.getHandle(workflowId).fetchHistory())).not.toContain(first.usuario_hotspot.usuario);
  });

  it('a running purchase that ended meanwhile: the purchase gets its own user and logs the device in', async () => {
    const d = device();
    // Active in the database, but its workflow is gone (ended between the lookup and the stacking).
    const gone = await purchaseRow(s, 'active', { clientMac: d.mac, expiresAt: new Date(Date.now() + HOUR), activatedAt: new Date() });
    const bought = await buyFor(d);
    expect(bought.tiempo_sumado).toBe(false);
    expect(bought.usuario_hotspot.usuario).toMatch(/\S/);
    expect(session(d.mac)?.user).toBe(bought.usuario_hotspot.usuario);
    expect(await ofType(bought.id_compra, 'stack_not_applied')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ onto_purchase: gone.id, reason: 'ENDED' }) }),
    ]);
    expect((await purchase(s, bought.id_compra)).statusReason).toBeNull();
  });

  it('a refund of the stacked purchase takes its time back from the running purchase', async () => {
    const { d, first, before, more } = await stackedPair();
    // Its time lives in the running purchase: that is the one to extend.
    const extend = await post(`/api/v1/admin/purchases/${more.id_compra}/extend`, { minutos: 30 });
    expect(extend.statusCode).toBe(409);
    expect(extend.json().detail).toMatch(/se sumó a otra compra/);

    const refund = await post(`/api/v1/admin/purchases/${more.id_compra}/refund`, { motivo: 'Compró de más' });
    expect(refund.statusCode).toBe(200);
    const stacked = await purchase(s, more.id_compra);
    expect(stacked).toMatchObject({ status: 'refunded', statusReason: 'ADMIN_REFUND', refundedCents: 2000 });
    expect(s.conekta.refunds()).toContainEqual(expect.objectContaining({ chargeId: stacked.gatewayReference }));
    const running = await purchase(s, first.id_compra);
    expect(running).toMatchObject({ status: 'active', expiresAt: before.expiresAt });
    expect(await ofType(first.id_compra, 'time_taken_back')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ from_purchase: more.id_compra, seconds: -3600 }) }),
    ]);
    await limitUptime(first.usuario_hotspot.usuario, '30m');
    expect(session(d.mac)?.user).toBe(first.usuario_hotspot.usuario);
  });

  it('a charge-back of the stacked purchase at the gateway takes its time back; the running purchase goes on', async () => {
    const { d, first, before, more } = await stackedPair();

    s.conekta.chargeBack(chargeOf(s, 'conekta', more.id_compra).id);
    expect(await waitForStatus(s, more.id_compra, 'revoked')).toMatchObject({ statusReason: 'CHARGED_BACK' });
    expect(await purchase(s, first.id_compra)).toMatchObject({ status: 'active', expiresAt: before.expiresAt });
    expect(await ofType(first.id_compra, 'time_taken_back')).toHaveLength(1);
    await limitUptime(first.usuario_hotspot.usuario, '30m');
    expect(session(d.mac)?.user).toBe(first.usuario_hotspot.usuario);
  });

  it('the running purchase revoked: the time stacked onto it is refunded, and the operator sees it in both histories', async () => {
    const { d, first, more } = await stackedPair();

    expect((await post(`/api/v1/admin/purchases/${first.id_compra}/revoke`)).json()).toMatchObject({ estado: 'revoked' });
    expect(session(d.mac)).toBeUndefined();
    const stacked = await waitForStatus(s, more.id_compra, 'refunded');
    expect(stacked).toMatchObject({ statusReason: 'STACKED_ACCESS_ENDED', refundedCents: 2000 });
    expect(s.conekta.refunds()).toContainEqual(expect.objectContaining({ chargeId: stacked.gatewayReference }));
    expect(await ofType(first.id_compra, 'stacked_purchases_told')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ purchases: [more.id_compra] }) }),
    ]);
  });

  it('keeps the card tokens, the hotspot password and the router and gateway secrets out of both workflows’ histories', async () => {
    const d = device();
    const tokens = [cardToken('approved'), cardToken('approved')];
    const answers = [];
    for (const token of tokens) {
      const response = await buy(s, 'conekta', { token, body: { mac_cliente: d.mac, ip_cliente: d.ip, conexion_automatica: true } });
      expect(response.statusCode).toBe(200);
      answers.push(response.json());
    }
    expect(answers[1].tiempo_sumado).toBe(true);
    const secrets = [...tokens, answers[0].usuario_hotspot.contrasena, 'router-secret', 'key_test_private'];
    for (const { id_compra: id } of answers) {
      const { workflowId } = await purchase(s, id);
      const text = historyText(await s.workflows.client.workflow.getHandle(workflowId).fetchHistory());
      expect(text).toContain(id); // the payloads are read: the input is there
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });

  it('an admin extension also raises the router user’s online time', async () => {
    const d = device();
    const bought = await buyFor(d);
    const response = await post(`/api/v1/admin/purchases/${bought.id_compra}/extend`, { minutos: 30 });
    expect(response.statusCode).toBe(200);
    await limitUptime(bought.usuario_hotspot.usuario, '1h');
  });
});
