import { buy, purchase, routerUser, statusTrail, waitForStatus } from '../helpers/purchases';
import { mistypeRouterPassword, startStack, type TestStack } from '../helpers/stack';

const MAC = 'AA:BB:CC:00:11:22';
const IP = '10.5.50.20';

/** Expiry removes the user, ends its sessions and removes its cookies — also when the router was down. */
describe('access expiry', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack({ product: { validitySeconds: 4, profileName: 'default' } });
  }, 60_000);
  afterAll(() => s?.close());
  afterEach(() => s.router.setFaults({ refuseConnections: false }));

  const sessionsOf = (name: string) => s.router.state.list('/ip/hotspot/active').filter((a) => a.user === name);
  const cookiesOf = (name: string) => s.router.state.list('/ip/hotspot/cookie').filter((c) => c.user === name);

  it('auto-connects the device, then at expiry removes the user, its session and its cookie', async () => {
    s.router.attachDevice(MAC, IP);
    const response = await buy(s, 'conekta', { body: { mac_cliente: MAC.toLowerCase().replace(/:/g, '-'), ip_cliente: IP, conexion_automatica: true } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.auto_conexion).toMatchObject({ estado: 'conectado', mac: MAC, ip: IP, verificado: true });
    const name = body.usuario_hotspot.usuario;
    expect(sessionsOf(name)).toHaveLength(1);
    expect(cookiesOf(name)).toHaveLength(1);

    const expired = await waitForStatus(s, body.id_compra, 'expired', 20_000);
    expect(expired.endedAt!.getTime()).toBeGreaterThanOrEqual(expired.expiresAt!.getTime());
    expect(routerUser(s, name)).toBeUndefined();
    expect(sessionsOf(name)).toHaveLength(0);
    expect(cookiesOf(name)).toHaveLength(0);
    expect(await statusTrail(s, body.id_compra)).toEqual(['created', 'charging', 'paid', 'active', 'expired']);
  });

  it('keeps retrying when the router is down at expiry, and cleans it when it returns', async () => {
    const body = (await buy(s, 'mercado_pago')).json();
    const name = body.usuario_hotspot.usuario;
    await s.router.setFaults({ refuseConnections: true });
    const row = await purchase(s, body.id_compra);
    await new Promise((resolve) => setTimeout(resolve, Math.max(row.expiresAt!.getTime() - Date.now(), 0) + 3_000));
    expect((await purchase(s, row.id)).status).toBe('active'); // not recorded as expired while the user is still there
    await s.router.setFaults({ refuseConnections: false });
    await waitForStatus(s, row.id, 'expired', 30_000);
    expect(routerUser(s, name)).toBeUndefined();
  }, 45_000);

  it('keeps retrying when the router refuses our login at expiry (its API password mistyped), and cleans it once put right', async () => {
    const body = (await buy(s, 'conekta')).json();
    const name = body.usuario_hotspot.usuario;
    const putRight = await mistypeRouterPassword(s);
    try {
      const row = await purchase(s, body.id_compra);
      await new Promise((resolve) => setTimeout(resolve, Math.max(row.expiresAt!.getTime() - Date.now(), 0) + 3_000));
      expect((await purchase(s, row.id)).status).toBe('active');
      expect(routerUser(s, name)).toBeDefined();
    } finally {
      await putRight();
    }
    await waitForStatus(s, body.id_compra, 'expired', 30_000);
    expect(routerUser(s, name)).toBeUndefined();
  }, 45_000);

  it('answers a returning device only with valid credentials, and logs it in', async () => {
    const body = (await buy(s, 'conekta')).json();
    const { usuario, contrasena } = body.usuario_hotspot;
    const reconnect = (payload: Record<string, unknown>) =>
      s.app.inject({ method: 'POST', url: '/api/v1/hotspot/auto-reconnect', headers: { 'x-api-key': s.apiKey }, payload });
    const newMac = 'DE:AD:BE:EF:00:01';
    s.router.attachDevice(newMac, '10.5.50.30');

    const wrong = await reconnect({ username: usuario, password: '0000' === contrasena ? '1111' : '0000', current_mac: newMac });
    expect(wrong.json()).toMatchObject({ success: false, estado: 'credenciales_invalidas', datos_sesion: null });
    expect(sessionsOf(usuario)).toHaveLength(0);

    // What is no MAC never reaches the router: the device is not logged in, and the answer says why.
    const malicious = await reconnect({ username: usuario, password: contrasena, current_mac: 'AA:BB:CC:DD:EE:FF"; /system reset' });
    expect(malicious.json()).toMatchObject({ success: false, estado: 'activo', auto_conexion: 'no_conectado', error_detalle: 'datos_dispositivo_invalidos' });
    expect(sessionsOf(usuario)).toHaveLength(0);

    const right = await reconnect({ username: usuario, password: contrasena, current_mac: newMac });
    expect(right.json()).toMatchObject({ success: true, estado: 'activo', auto_conexion: 'conectado', nueva_mac: newMac });
    expect(right.body).not.toContain(contrasena === '' ? '"password"' : contrasena);
    expect(sessionsOf(usuario)).toEqual([expect.objectContaining({ 'mac-address': newMac, address: '10.5.50.30' })]);

    const info = await s.app.inject({
      method: 'POST',
      url: '/api/v1/hotspot/user/profile-info',
      headers: { 'x-api-key': s.apiKey },
      payload: { username: usuario, password: contrasena },
    });
    expect(info.json()).toMatchObject({ success: true, estado: 'ok', profile: 'default', tipo_usuario: 'usuario_contrasena' });
    expect(JSON.stringify(info.json())).not.toContain(`"${contrasena}"`);

    await waitForStatus(s, body.id_compra, 'expired', 20_000);
    const late = await reconnect({ username: usuario, password: contrasena, current_mac: newMac });
    expect(late.json()).toMatchObject({ success: false, estado: 'expirado' });
  }, 30_000);

  it('answers the router check through the worker', async () => {
    const ok = await s.app.inject({ method: 'POST', url: '/api/v1/routers/validar-empresa-router', headers: { 'x-api-key': s.apiKey } });
    expect(ok.json()).toMatchObject({ success: true, estado: 'activo', conexion_ok: true });
    await s.router.setFaults({ refuseConnections: true });
    const down = await s.app.inject({ method: 'POST', url: '/api/v1/routers/validar-empresa-router', headers: { 'x-api-key': s.apiKey } });
    expect(down.statusCode).toBe(200);
    expect(down.json()).toMatchObject({ success: false, estado: 'sin_conexion', conexion_ok: false });
    expect(down.body).not.toContain('127.0.0.1');
  });
});
