import { createRouter, issueKey } from '../helpers/fixtures';
import { chargeOf } from '../helpers/purchases';
import { cardToken, startStack, type TestStack } from '../helpers/stack';

/**
 * Captive portals written for the previous service keep working: requests exactly as those portals send them (their
 * bodies — numbers and booleans as form text, hotspot variables left unfilled, Spanish or English field names — and
 * headers), against the whole stack, and the fields those portals read in each answer, with their types.
 */

/** What an old portal reads in an answer: a type (`'string'`…), a nested object of the same, or an exact value. */
type Reads = { [field: string]: 'string' | 'number' | 'boolean' | 'null' | 'array' | Reads | string | number | boolean | null };

function matcherOf(reads: Reads): Record<string, unknown> {
  const types: Record<string, unknown> = {
    string: expect.any(String),
    number: expect.any(Number),
    boolean: expect.any(Boolean),
    array: expect.any(Array),
    null: null,
  };
  return Object.fromEntries(
    Object.entries(reads).map(([field, read]) => [
      field,
      typeof read === 'object' && read !== null ? matcherOf(read) : typeof read === 'string' && read in types ? types[read] : read,
    ]),
  );
}

const PURCHASE_APPROVED: Reads = {
  success: true,
  id_transaccion: 'string',
  estado_pago: 'string',
  tipo_usuario: 'string',
  usuario_hotspot: { usuario: 'string', contrasena: 'string' },
  producto: { nombre: 'string', precio: 'number', moneda: 'string', perfil_mikrotik: 'string' },
  cliente: { nombre: 'string', email: 'string' },
  timestamp: 'string',
  auto_conexion: { estado: 'string', mac: 'string', ip: 'string', mensaje: 'string', verificado: 'boolean', session_id: 'null' },
};
const MERCADO_PAGO_BLOCK: Reads = {
  mercado_pago: {
    payment_id: 'string',
    status: 'string',
    status_detail: 'accredited',
    installments: 'number',
    payment_method: { id: 'visa', type: 'credit_card', installments: 1 },
    raw_response: {},
  },
};
const RECONNECT: Reads = {
  success: 'boolean',
  estado: 'string',
  auto_conexion: 'string',
  nueva_mac: 'string',
  tiempo_acumulado: 'null',
  primera_sesion: 'null',
  mensaje: 'string',
  timestamp: 'string',
};
const PROFILE_INFO: Reads = {
  success: 'boolean',
  estado: 'string',
  username: 'string',
  mac_authentication: 'boolean',
  disabled: 'boolean',
  mensaje: 'string',
  error_detalle: 'null',
  timestamp: 'string',
};
const ROUTER_CHECK: Reads = { success: 'boolean', estado: 'string', mensaje: 'string', conexion_ok: 'boolean', timestamp: 'string' };

describe('captive portals written for the previous service', () => {
  let s: TestStack;
  let inactiveKey: string;
  beforeAll(async () => {
    s = await startStack({ config: { BACKEND_CORS_ORIGINS: 'https://panel.example' } });
    const inactive = await createRouter(s.db.dataSource, s.secrets, s.company.id, { host: s.router.host, port: s.router.port, active: false });
    inactiveKey = (await issueKey(s.db.dataSource, s.config, inactive)).apiKey;
  }, 60_000);
  afterAll(() => s?.close());

  /** A portal's request: the key as `Authorization: Bearer`, the body as the JSON text the portal builds. */
  const send = (method: 'GET' | 'POST', url: string, body?: unknown, key = s.apiKey) =>
    s.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  const price = () => (s.product.priceCents / 100).toFixed(2);

  it('reads the public configuration and the catalog (a product id in the path as text)', async () => {
    const config = await send('GET', '/api/v1/config/public');
    expect(config.statusCode).toBe(200);
    expect(config.json()).toMatchObject(
      matcherOf({
        empresa: { id: 'string', nombre: 'string', conekta_public_key: 'string', mercadopago_public_key: 'string', conekta_mode: 'string' },
        router: { id: s.routerRow.id, nombre: 'string', ubicacion: 'string' },
      }),
    );
    const catalog = await send('GET', '/api/v1/catalogo_perfiles_venta');
    const productFields: Reads = {
      id: s.product.id,
      perfil_mikrotik_id: 'string',
      perfil_mikrotik_nombre: 'string',
      nombre_venta: 'string',
      precio: 'number',
      moneda: 'string',
      detalles: 'array',
      destacado: 'boolean',
      creado_en: 'string',
    };
    expect(catalog.json()).toEqual([expect.objectContaining(matcherOf(productFields))]);
    expect((await send('GET', `/api/v1/catalogo_perfiles_venta/${s.product.id}`)).json()).toMatchObject(matcherOf(productFields));
  });

  /** Purchase bodies as old portals send them, and what each answer must say. */
  const purchases: { name: string; gateway: 'conekta' | 'mercado_pago'; body: () => Record<string, unknown>; device?: [string, string]; reads: Reads }[] = [
    {
      name: 'Conekta, every value as form text, no customer name, unfilled hotspot variables, a PIN',
      gateway: 'conekta',
      body: () => ({
        producto_id: String(s.product.id),
        token_tarjeta: cardToken('approved'),
        nombre_cliente: '',
        email_cliente: 'ana@example.com',
        telefono_cliente: '',
        tipo_usuario: 'pin',
        mac_cliente: '$(mac)',
        ip_cliente: '$(ip)',
        info_dispositivo: '',
        conexion_automatica: 'true',
      }),
      reads: {
        estado_pago: 'paid',
        tipo_usuario: 'pin',
        usuario_hotspot: { usuario: 'string', contrasena: '' },
        cliente: { nombre: '', email: 'ana@example.com' },
        auto_conexion: { estado: 'no_conectado', verificado: false, motivo: 'variables_sin_sustituir' },
      },
    },
    {
      name: 'Conekta, English field names, a MAC without separators: the device is logged in',
      gateway: 'conekta',
      device: ['AA:BB:CC:00:21:01', '10.5.50.21'],
      body: () => ({
        product_id: s.product.id,
        card_token: cardToken('approved'),
        customer_name: 'Ana López',
        customer_email: 'ana@example.com',
        mac_address: 'aabbcc002101',
        ip_address: '10.5.50.21',
        auto_connect: 1,
      }),
      reads: { auto_conexion: { estado: 'conectado', mac: 'AA:BB:CC:00:21:01', ip: '10.5.50.21', verificado: true, motivo: null } },
    },
    {
      name: 'Mercado Pago, amount and installments as text, empty device fields',
      gateway: 'mercado_pago',
      body: () => ({
        producto_id: String(s.product.id),
        token: cardToken('approved'),
        payment_method_id: 'visa',
        issuer_id: '',
        monto: price(),
        cuotas: '1',
        nombre_cliente: 'Ana López',
        email_cliente: 'ana@example.com',
        mac_cliente: '',
        ip_cliente: '',
        device_id: '',
        conexion_automatica: '1',
        payer: { email: 'ana@example.com' },
      }),
      reads: { estado_pago: 'approved', ...MERCADO_PAGO_BLOCK, auto_conexion: { estado: 'no_conectado', motivo: 'sin_datos_dispositivo' } },
    },
    {
      name: 'Mercado Pago, a MAC with dashes and an IP that is not one: logged in by its MAC',
      gateway: 'mercado_pago',
      device: ['AA:BB:CC:00:21:02', '10.5.50.22'],
      body: () => ({
        producto_id: s.product.id,
        token: cardToken('approved'),
        payment_method_id: 'visa',
        monto: Number(price()),
        nombre_cliente: 'Ana',
        email_cliente: 'ana@example.com',
        mac_cliente: 'aa-bb-cc-00-21-02',
        ip_cliente: '10.5.50',
        conexion_automatica: 'yes',
      }),
      reads: { ...MERCADO_PAGO_BLOCK, auto_conexion: { estado: 'conectado', mac: 'AA:BB:CC:00:21:02', ip: '10.5.50.22', motivo: null } },
    },
    {
      name: 'Conekta, a MAC that is not one: the purchase goes on without auto-connect',
      gateway: 'conekta',
      body: () => ({
        producto_id: s.product.id,
        token_tarjeta: cardToken('approved'),
        nombre_cliente: 'Ana',
        email_cliente: 'ana@example.com',
        mac_cliente: 'AA:BB:CC:DD:EE:FF"; /system reset',
        conexion_automatica: true,
      }),
      reads: { auto_conexion: { estado: 'no_conectado', mac: '', motivo: 'datos_dispositivo_invalidos' } },
    },
  ];

  it.each(purchases)('buys: $name', async ({ gateway, body, device, reads }) => {
    if (device) s.router.attachDevice(...device);
    const url = gateway === 'conekta' ? '/api/v1/payments/pagar-conekta' : '/api/v1/payments/pagar-mercado-pago';
    const response = await send('POST', url, body());
    expect(response.statusCode).toBe(200);
    const answer = response.json();
    expect(answer).toMatchObject(matcherOf(PURCHASE_APPROVED));
    expect(answer).toMatchObject(matcherOf(reads));
    // A device address that is no address never reaches the router.
    expect(JSON.stringify(s.router.state.list('/ip/hotspot/active'))).not.toContain('system reset');
  });

  it('gives Conekta a customer name when the portal sent none', async () => {
    const response = await send('POST', '/api/v1/payments/pagar-conekta', {
      producto_id: String(s.product.id),
      token_tarjeta: cardToken('approved'),
      nombre_cliente: '',
      email_cliente: 'sin.nombre@example.com',
    });
    expect(response.statusCode).toBe(200);
    const request = chargeOf(s, 'conekta', response.json().id_compra).request as { customer_info: { name: string } };
    expect(request.customer_info.name).toBe('sin.nombre@example.com');
  });

  it('answers a purchase not decided yet with 202 and where to follow it, which the portal polls', async () => {
    const response = await send('POST', '/api/v1/payments/pagar-mercado-pago', {
      producto_id: String(s.product.id),
      token: cardToken('pending_approve'),
      payment_method_id: 'visa',
      monto: price(),
      cuotas: '1',
      nombre_cliente: 'Ana',
      email_cliente: 'ana@example.com',
    });
    expect(response.statusCode).toBe(202);
    const answer = response.json();
    expect(answer).toMatchObject(matcherOf({ success: false, id_compra: 'string', estado: 'pending', mensaje: 'string', url_estado: 'string' }));
    expect(answer).not.toHaveProperty('usuario_hotspot');
    const status = await send('GET', new URL(answer.url_estado).pathname);
    expect(status.json()).toMatchObject({ id_compra: answer.id_compra, estado: 'pending', usuario_hotspot: null });
  });

  it('refuses a value of the wrong kind naming the field and its real problem, and a missing e-mail as missing', async () => {
    const charges = s.mercadoPago.charges().length;
    const response = await send('POST', '/api/v1/payments/pagar-mercado-pago', {
      producto_id: 'uno',
      token: cardToken('approved'),
      payment_method_id: 'visa',
      monto: '$20',
      cuotas: 1.5,
      nombre_cliente: 'Ana',
      conexion_automatica: 'quizá',
    });
    expect(response.statusCode).toBe(422);
    const problems = Object.fromEntries((response.json().detail as { loc: string[]; type: string }[]).map((d) => [d.loc.join('.'), d.type]));
    expect(problems).toEqual({
      'body.producto_id': 'int_parsing',
      'body.monto': 'float_parsing',
      'body.cuotas': 'int_from_float',
      'body.conexion_automatica': 'bool_parsing',
      'body.email_cliente': 'missing',
    });
    expect(s.mercadoPago.charges()).toHaveLength(charges);
  });

  it('reconnects a returning device and checks its credentials, whatever form its MAC takes', async () => {
    const bought = (
      await send('POST', '/api/v1/payments/pagar-conekta', {
        producto_id: String(s.product.id),
        token_tarjeta: cardToken('approved'),
        nombre_cliente: 'Ana',
        email_cliente: 'ana@example.com',
      })
    ).json();
    const { usuario, contrasena } = bought.usuario_hotspot;
    s.router.attachDevice('AA:BB:CC:00:21:03', '10.5.50.23');

    const reconnect = await send('POST', '/api/v1/hotspot/auto-reconnect', {
      username: usuario,
      password: contrasena,
      stored_mac: '$(mac)',
      current_mac: 'aa-bb-cc-00-21-03',
      current_ip: '$(ip)',
      current_ssid: '',
    });
    expect(reconnect.statusCode).toBe(200);
    expect(reconnect.json()).toMatchObject(matcherOf({ ...RECONNECT, success: true, estado: 'activo', auto_conexion: 'conectado', nueva_mac: 'AA:BB:CC:00:21:03' }));

    const unfilled = await send('POST', '/api/v1/hotspot/auto-reconnect', { username: usuario, password: contrasena, current_mac: '$(mac)' });
    expect(unfilled.json()).toMatchObject(
      matcherOf({ ...RECONNECT, success: false, estado: 'activo', auto_conexion: 'no_conectado', error_detalle: 'variables_sin_sustituir' }),
    );

    const info = await send('POST', '/api/v1/hotspot/user/profile-info', { username: usuario, password: contrasena });
    expect(info.json()).toMatchObject(matcherOf({ ...PROFILE_INFO, success: true, estado: 'ok', tipo_usuario: 'usuario_contrasena', profile: 'string' }));
    const wrong = await send('POST', '/api/v1/hotspot/user/profile-info', { username: usuario, password: null });
    expect(wrong.json()).toMatchObject(matcherOf({ ...PROFILE_INFO, success: false, estado: 'credenciales_invalidas' }));
  });

  it('checks the router with a JSON content type and no body', async () => {
    const response = await s.app.inject({
      method: 'POST',
      url: '/api/v1/routers/validar-empresa-router',
      headers: { authorization: `Bearer ${s.apiKey}`, 'content-type': 'application/json', 'content-length': '0' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject(matcherOf({ ...ROUTER_CHECK, success: true, estado: 'activo', conexion_ok: true }));
  });

  it("answers an inactive router's hotspot routes with router_inactivo, and refuses its sales", async () => {
    const reconnect = await send('POST', '/api/v1/hotspot/auto-reconnect', { username: 'PT-12345', current_mac: 'AA:BB:CC:00:21:04' }, inactiveKey);
    expect([reconnect.statusCode, reconnect.json()]).toEqual([200, expect.objectContaining(matcherOf({ ...RECONNECT, success: false, estado: 'router_inactivo' }))]);
    const info = await send('POST', '/api/v1/hotspot/user/profile-info', { username: 'PT-12345' }, inactiveKey);
    expect([info.statusCode, info.json()]).toEqual([200, expect.objectContaining(matcherOf({ ...PROFILE_INFO, success: false, estado: 'router_inactivo' }))]);
    const check = await send('POST', '/api/v1/routers/validar-empresa-router', undefined, inactiveKey);
    expect([check.statusCode, check.json()]).toEqual([200, expect.objectContaining({ success: false, estado: 'router_inactivo', conexion_ok: false })]);

    expect((await send('GET', '/api/v1/catalogo_perfiles_venta', undefined, inactiveKey)).json()).toEqual({ detail: 'Router no activo' });
    const purchase = await send(
      'POST',
      '/api/v1/payments/pagar-conekta',
      { producto_id: s.product.id, token_tarjeta: cardToken('approved'), nombre_cliente: 'Ana', email_cliente: 'ana@example.com' },
      inactiveKey,
    );
    expect([purchase.statusCode, purchase.json()]).toEqual([401, { detail: 'Router no activo' }]);
  });

  it('tells an unreachable router apart from an inactive one', async () => {
    await s.router.setFaults({ refuseConnections: true });
    try {
      const check = await send('POST', '/api/v1/routers/validar-empresa-router');
      expect(check.json()).toMatchObject({ success: false, estado: 'sin_conexion', conexion_ok: false });
    } finally {
      await s.router.setFaults({ refuseConnections: false });
    }
  });

  it('lets a preflight ask for any header: portal routes from any origin, the others from the configured ones', async () => {
    const preflight = (url: string, origin: string) =>
      s.app.inject({
        method: 'OPTIONS',
        url,
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization,x-requested-with' },
      });
    const portal = await preflight('/api/v1/payments/pagar-conekta', 'http://10.5.50.1');
    expect(portal.headers['access-control-allow-origin']).toBe('*');
    expect(portal.headers['access-control-allow-headers']).toContain('x-requested-with');
    const panel = await preflight('/api/v1/auth/login', 'https://panel.example');
    expect(panel.headers['access-control-allow-origin']).toBe('https://panel.example');
    expect(panel.headers['access-control-allow-headers']).toContain('x-requested-with');
    const stranger = await preflight('/api/v1/auth/login', 'https://elsewhere.example');
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves the OpenAPI document at /openapi.json and sends /redoc to the documentation page', async () => {
    const document = await s.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(document.statusCode).toBe(200);
    expect(Object.keys(document.json().paths)).toEqual(expect.arrayContaining(['/api/v1/payments/pagar-conekta', '/api/v1/hotspot/auto-reconnect']));
    const redoc = await s.app.inject({ method: 'GET', url: '/redoc' });
    expect([redoc.statusCode, redoc.headers.location]).toEqual([302, '/docs']);
  });

  it('keeps the key in X-API-Key working, as portals written from the previous README send it', async () => {
    const response = await s.app.inject({ method: 'GET', url: '/api/v1/catalogo_perfiles_venta', headers: { 'x-api-key': s.apiKey } });
    expect(response.statusCode).toBe(200);
  });

});
