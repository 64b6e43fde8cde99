import { connect } from 'node:net';
import type { InjectOptions } from 'fastify';
import { SecretBox } from '../../shared/secrets';
import { createPurchase, setupAdminTest, type AdminTest } from './admin/support';
import { createProduct, createRouter, issueKey } from '../helpers/fixtures';

const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\uD800b';
const BEYOND_INT4 = '2147483648';

/**
 * Every request part is checked at the edge: text PostgreSQL cannot store, ids beyond its integer columns, missing or
 * null bodies, wrongly typed values. Each is a 4xx `{"detail"}` naming the field — never a 500, never a hang.
 */
describe('edge validation across routes', () => {
  let s: AdminTest;
  let portal: { authorization: string };
  let purchaseId: string;

  beforeAll(async () => {
    s = await setupAdminTest();
    const router = await createRouter(s.ds, new SecretBox(s.config.SECRET_KEY), s.company.id);
    await createProduct(s.ds, router);
    portal = { authorization: `Bearer ${(await issueKey(s.ds, s.config, router)).apiKey}` };
    purchaseId = (await createPurchase(s.ds, router, null)).id;
  });
  afterAll(() => s.close());

  const send = (options: InjectOptions) => s.t.app.inject(options);
  const locs = (body: { detail: { loc: (string | number)[] }[] }) => body.detail.map((d) => d.loc.join('.'));
  const purchaseBody = { producto_id: 1, token_tarjeta: 'tok_test_approved_1', nombre_cliente: 'Ana', email_cliente: 'ana@example.com' };

  describe('text PostgreSQL cannot store (NUL, unpaired surrogates) is a 422 naming the field', () => {
    const cases: [string, () => InjectOptions, string][] = [
      ['a purchase body field', () => ({ method: 'POST', url: '/api/v1/payments/pagar-conekta', headers: portal, payload: { ...purchaseBody, nombre_cliente: NUL } }), 'body.nombre_cliente'],
      ['a free-form purchase field', () => ({ method: 'POST', url: '/api/v1/payments/pagar-mercado-pago', headers: portal, payload: { ...purchaseBody, token: 't', payment_method_id: 'visa', monto: 20, payer: { name: LONE_SURROGATE } } }), 'body.payer.name'],
      ['the reason of an extension', () => ({ method: 'POST', url: `/api/v1/admin/purchases/${purchaseId}/extend`, headers: s.companyAdmin.headers, payload: { minutos: 5, motivo: NUL } }), 'body.motivo'],
      ['the reason of a refund', () => ({ method: 'POST', url: `/api/v1/admin/purchases/${purchaseId}/refund`, headers: s.companyAdmin.headers, payload: { motivo: LONE_SURROGATE } }), 'body.motivo'],
      ['a company field', () => ({ method: 'POST', url: '/admin/empresas', headers: s.superAdmin.headers, payload: { nombre: 'X', contacto_email: 'x@example.com', conekta_public_key: NUL } }), 'body.conekta_public_key'],
      ['a query filter', () => ({ method: 'GET', url: '/api/v1/admin/purchases?cliente_email=a%00b', headers: s.companyAdmin.headers }), 'querystring.cliente_email'],
      ['a path parameter', () => ({ method: 'GET', url: '/admin/empresas/EMP%00X', headers: s.superAdmin.headers }), 'params.empresa_id'],
      ['a login email', () => ({ method: 'POST', url: '/api/v1/auth/login', payload: { email: `${NUL}@example.com`, password: 'whatever-123' } }), 'body.email'],
    ];
    it.each(cases)('in %s', async (_what, request, loc) => {
      const response = await send(request());
      expect(response.statusCode).toBe(422);
      expect(locs(response.json())).toContain(loc);
    });
  });

  describe('integer ids and filters beyond PostgreSQL integer are a 422', () => {
    const cases: [string, () => InjectOptions, string][] = [
      ['a product id', () => ({ method: 'GET', url: `/api/v1/admin/products/${BEYOND_INT4}`, headers: s.companyAdmin.headers }), 'params.producto_id'],
      ['a catalog product id', () => ({ method: 'GET', url: `/api/v1/catalogo_perfiles_venta/${BEYOND_INT4}`, headers: portal }), 'params.producto_id'],
      ['an admin user id', () => ({ method: 'GET', url: `/admin/usuarios/${BEYOND_INT4}`, headers: s.superAdmin.headers }), 'params.usuario_id'],
      ['?usuario_id=', () => ({ method: 'GET', url: `/admin/audit-log?usuario_id=${BEYOND_INT4}`, headers: s.superAdmin.headers }), 'querystring.usuario_id'],
      ['?producto_id=', () => ({ method: 'GET', url: `/api/v1/admin/purchases?producto_id=${BEYOND_INT4}`, headers: s.companyAdmin.headers }), 'querystring.producto_id'],
      ['a reorder list', () => ({ method: 'PUT', url: '/api/v1/admin/products/reorder', headers: s.companyAdmin.headers, payload: { producto_ids: [1, Number(BEYOND_INT4)] } }), 'body.producto_ids.1'],
      ['a purchase product', () => ({ method: 'POST', url: '/api/v1/payments/pagar-conekta', headers: portal, payload: { ...purchaseBody, producto_id: Number(BEYOND_INT4) } }), 'body.producto_id'],
    ];
    it.each(cases)('for %s', async (_what, request, loc) => {
      const response = await send(request());
      expect(response.statusCode).toBe(422);
      expect(locs(response.json())).toEqual([loc]);
    });
  });

  describe('a missing or null body is a 422 on the body', () => {
    const cases: [string, string, Record<string, string>, string | undefined][] = [
      ['no Conekta purchase body', '/api/v1/payments/pagar-conekta', {}, undefined],
      ['a null Conekta purchase body', '/api/v1/payments/pagar-conekta', { 'content-type': 'application/json' }, 'null'],
      ['a null Mercado Pago purchase body', '/api/v1/payments/pagar-mercado-pago', { 'content-type': 'application/json' }, 'null'],
      ['no product body', '/api/v1/admin/products', {}, undefined],
      ['an array as product body', '/api/v1/admin/products', { 'content-type': 'application/json' }, '[]'],
    ];
    it.each(cases)('for %s', async (what, url, headers, payload) => {
      const auth = url.startsWith('/api/v1/admin') ? s.companyAdmin.headers : portal;
      const response = await send({ method: 'POST', url, headers: { ...auth, ...headers }, payload });
      expect(response.statusCode).toBe(422);
      expect(response.json().detail).toEqual([expect.objectContaining({ loc: ['body'], type: 'object_type' })]);
      expect(what).toBeTruthy();
    });
  });

  it('reports a wrongly typed value as what it is, not as missing', async () => {
    const response = await send({ method: 'POST', url: '/api/v1/payments/pagar-conekta', headers: portal, payload: { ...purchaseBody, producto_id: 'x' } });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail).toEqual([
      { loc: ['body', 'producto_id'], msg: 'Input should be a valid integer, unable to parse string as an integer', type: 'int_parsing' },
    ]);
    const reorder = await send({ method: 'PUT', url: '/api/v1/admin/products/reorder', headers: s.companyAdmin.headers, payload: { producto_ids: 'uno' } });
    expect(reorder.json().detail).toEqual([{ loc: ['body', 'producto_ids'], msg: 'Input should be a valid array', type: 'array_type' }]);
  });

  it('never lets NUL reach the code through a header it reads (the HTTP parser answers 400 first)', async () => {
    const address = await s.t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(address);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port) }, () =>
        socket.end(`POST /api/v1/payments/pagar-conekta HTTP/1.1\r\nHost: x\r\nIdempotency-Key: abc\u0000defgh\r\nContent-Length: 0\r\n\r\n`),
      );
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
  });

  it.each([
    ['without a boundary', 'multipart/form-data', 'xx'],
    [
      'truncated',
      'multipart/form-data; boundary=abc',
      '--abc\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG',
    ],
  ])('answers a logo upload %s with 400', async (_what, contentType, payload) => {
    const response = await send({
      method: 'POST',
      url: '/api/v1/admin/mi-empresa/logo',
      headers: { ...s.companyAdmin.headers, 'content-type': contentType },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'Cuerpo multipart/form-data inválido o incompleto' });
  });
});
