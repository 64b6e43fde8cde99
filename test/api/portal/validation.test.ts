import { setupPortalTest, type PortalTest } from './support';

/** Bad input gets a 4xx naming each problem (in the original's `detail` list), never a 500, never internals. */
describe('captive-portal input validation', () => {
  let s: PortalTest;
  beforeAll(async () => {
    s = await setupPortalTest({ CONEKTA_DEFAULT_PRIVATE_KEY: 'key_default' });
  });
  afterAll(() => s.close());

  const post = (url: string, payload: unknown, contentType = 'application/json') =>
    s.t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${s.key}`, 'content-type': contentType }, payload: payload as string });

  it('lists every missing or malformed purchase field under the names the original used, device addresses aside', async () => {
    const response = await post('/api/v1/payments/pagar-conekta', {
      producto_id: 'uno',
      email_cliente: 'no-es-correo',
      tipo_usuario: 'vip',
      mac_cliente: 'AA:BB:CC:DD:EE:FF; /system reset',
      ip_cliente: '300.1.1.1',
    });
    expect(response.statusCode).toBe(422);
    // A device address that cannot be used only stops auto-connect (the purchase answer says why): not a problem here.
    const detail = response.json().detail as { loc: string[]; type: string }[];
    expect(detail.map((d) => d.loc.join('.')).sort()).toEqual([
      'body.email_cliente',
      'body.nombre_cliente',
      'body.producto_id',
      'body.tipo_usuario',
      'body.token_tarjeta',
    ]);
    expect(detail.find((d) => d.loc[1] === 'nombre_cliente')!.type).toBe('missing');
    expect(s.workflows.calls).toEqual([]);
  });

  it('answers malformed JSON with 400 and an unknown route with 404, without internals', async () => {
    const broken = await post('/api/v1/payments/pagar-conekta', '{"producto_id": 1,');
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toEqual({ detail: 'Solicitud inválida' });
    const unknown = await s.t.app.inject({ method: 'GET', url: '/api/v1/nada' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ detail: 'Not Found' });
  });

  it("answers Fastify's own refusals in the API's shape: path parameter too long (414), undecodable URL (400), unknown media type (415)", async () => {
    const headers = { authorization: `Bearer ${s.key}` };
    const long = await s.t.app.inject({ method: 'GET', url: `/api/v1/purchases/${'a'.repeat(101)}`, headers });
    expect([long.statusCode, long.json()]).toEqual([414, { detail: 'Parámetro de ruta demasiado largo' }]);
    const undecodable = await s.t.app.inject({ method: 'GET', url: '/api/v1/purchases/%E0%A4%A', headers });
    expect([undecodable.statusCode, undecodable.json()]).toEqual([400, { detail: 'URL inválida' }]);
    const xml = await post('/api/v1/payments/pagar-conekta', '<compra/>', 'application/xml');
    expect([xml.statusCode, xml.json()]).toEqual([415, { detail: 'Tipo de contenido no soportado' }]);
  });

  it('refuses a product of no router (404) and a Mercado Pago purchase when the company has no credentials (400)', async () => {
    const body = { producto_id: 999, token_tarjeta: 'tok_x', nombre_cliente: 'Ana', email_cliente: 'ana@example.com' };
    expect((await post('/api/v1/payments/pagar-conekta', body)).json()).toEqual({ detail: 'Producto no encontrado' });
    const mp = await post('/api/v1/payments/pagar-mercado-pago', { ...body, token: 'tok_x', payment_method_id: 'visa', monto: 20 });
    expect(mp.statusCode).toBe(400);
    expect(mp.json()).toEqual({ detail: 'La empresa no tiene configurado Mercado Pago' });
  });
});
