import { ProductEntity, type RouterEntity } from '../../../db/entities';
import { createProduct, createRouter, issueKey } from '../../helpers/fixtures';
import { auditRows, setupAdminTest, type AdminTest } from './support';

describe('company admin: products', () => {
  let s: AdminTest;
  let router: RouterEntity;
  let foreignRouter: RouterEntity;
  beforeAll(async () => {
    s = await setupAdminTest();
    router = await createRouter(s.ds, s.t.deps.secrets, s.company.id);
    foreignRouter = await createRouter(s.ds, s.t.deps.secrets, s.other.id);
  });
  beforeEach(() => s.workflows.reset());
  afterAll(() => s.close());

  const inject = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: Record<string, unknown>,
    headers = s.companyAdmin.headers,
  ) => s.t.app.inject({ method, url, headers, payload });
  const valid = () => ({
    router_id: router.id,
    perfil_mikrotik_id: '*2',
    perfil_mikrotik_nombre: '1hora',
    nombre_venta: '1 hora',
    precio: '19.99',
    moneda: 'MXN',
    detalles: [{ texto: 'Velocidad 5 Mbps' }, 'Sin límite de datos'],
    vigencia_minutos: 60,
  });

  it('creates a product after checking the profile on the router; the price is exact cents', async () => {
    const response = await inject('POST', '/api/v1/admin/products', valid());
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toEqual({
      id: expect.any(Number),
      router_id: router.id,
      perfil_mikrotik_id: '*2',
      perfil_mikrotik_nombre: '1hora',
      nombre_venta: '1 hora',
      descripcion: null,
      imagen_url: null,
      precio: 19.99,
      moneda: 'MXN',
      detalles: ['Velocidad 5 Mbps', 'Sin límite de datos'],
      activo: true,
      orden_visual: 0,
      destacado: false,
      vigencia_segundos: 3600,
      limite_uptime_segundos: null,
      creado_en: expect.any(String),
    });
    expect(s.workflows.callsOf('probeRouter')).toEqual([[router.id]]);
    const row = await s.ds.getRepository(ProductEntity).findOneByOrFail({ id: body.id });
    expect(row).toMatchObject({
      priceCents: 1999,
      validitySeconds: 3600,
      details: [{ texto: 'Velocidad 5 Mbps' }, { texto: 'Sin límite de datos' }],
    });
    expect((await auditRows(s.ds, 'product.created')).at(-1)?.detail).toEqual({
      router_id: router.id,
      price_cents: 1999,
      currency: 'MXN',
      validity_seconds: 3600,
    });
  });

  it('takes the price as a number too (19.99 → 1999 cents, not the original 1998) and the English validity alias', async () => {
    const response = await inject('POST', '/api/v1/admin/products', {
      ...valid(),
      precio: 0.29,
      vigencia_minutos: undefined,
      validity_seconds: 86_400,
      uptime_limit_seconds: 7200,
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ precio: 0.29, vigencia_segundos: 86_400, limite_uptime_segundos: 7200 });
    expect((await s.ds.getRepository(ProductEntity).findOneByOrFail({ id: response.json().id })).priceCents).toBe(29);
  });

  it('refuses a profile the router does not have, and reports an unreachable router', async () => {
    const missing = await inject('POST', '/api/v1/admin/products', { ...valid(), perfil_mikrotik_nombre: 'vip' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({ detail: "El perfil 'vip' no existe en el router" });

    s.workflows.results.probeRouter = { ok: false, code: 'ROUTER_UNREACHABLE', message: 'No se pudo conectar al router' };
    const unreachable = await inject('POST', '/api/v1/admin/products', valid());
    expect(unreachable.statusCode).toBe(503);
    expect(unreachable.json()).toEqual({ detail: 'No se pudo verificar el perfil en el router: No se pudo conectar al router' });
  });

  it('validates price, currency and validity (422 listing fields)', async () => {
    const response = await inject('POST', '/api/v1/admin/products', { ...valid(), precio: '19.999', moneda: 'GBP', nombre_venta: '' });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail).toEqual([
      { loc: ['body', 'nombre_venta'], msg: expect.any(String), type: 'string_too_short' },
      { loc: ['body', 'precio'], msg: 'Precio inválido: un monto positivo con hasta dos decimales', type: 'value_error' },
      { loc: ['body', 'moneda'], msg: expect.any(String), type: 'literal_error' },
    ]);
    const noValidity = await inject('POST', '/api/v1/admin/products', { ...valid(), vigencia_minutos: undefined });
    expect(noValidity.json().detail).toEqual([
      {
        loc: ['body', 'vigencia_segundos'],
        msg: 'Indique la vigencia en vigencia_segundos o en vigencia_minutos (solo uno)',
        type: 'value_error',
      },
    ]);
    expect((await inject('POST', '/api/v1/admin/products', { ...valid(), precio: 0 })).statusCode).toBe(422);
    expect((await inject('POST', '/api/v1/admin/products', { ...valid(), precio: -5 })).statusCode).toBe(422);
  });

  it("answers 404 for another company's router, without asking the router", async () => {
    const response = await inject('POST', '/api/v1/admin/products', { ...valid(), router_id: foreignRouter.id });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ detail: 'Router no encontrado o no pertenece a esta empresa' });
    expect(s.workflows.callsOf('probeRouter')).toEqual([]);
  });

  it('lists own products in display order, by router and state; a foreign router_id is 404', async () => {
    const second = await createRouter(s.ds, s.t.deps.secrets, s.company.id);
    const a = await createProduct(s.ds, second, { name: 'B', displayOrder: 2 });
    const b = await createProduct(s.ds, second, { name: 'A', displayOrder: 1, active: false });
    await createProduct(s.ds, foreignRouter, { name: 'Ajeno' });

    const byRouter = await inject('GET', `/api/v1/admin/products?router_id=${second.id}`);
    expect(byRouter.json().map((p: { id: number }) => p.id)).toEqual([b.id, a.id]);
    expect(
      (await inject('GET', `/api/v1/admin/products?router_id=${second.id}&activo=true`)).json().map((p: { id: number }) => p.id),
    ).toEqual([a.id]);

    const all = await inject('GET', '/api/v1/admin/products?limit=100');
    expect(all.json().map((p: { nombre_venta: string }) => p.nombre_venta)).not.toContain('Ajeno');
    expect(all.headers['x-total-count']).toBe(String(all.json().length));

    const foreign = await inject('GET', `/api/v1/admin/products?router_id=${foreignRouter.id}`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual({ detail: 'Router no encontrado' });
  });

  it('normalises details like the original: objects give their "texto"', async () => {
    const product = await createProduct(s.ds, router, { details: [{ texto: 'Uno' }, 'Dos', { otro: 1 }] });
    expect((await inject('GET', `/api/v1/admin/products/${product.id}`)).json().detalles).toEqual(['Uno', 'Dos', '']);
  });

  it('updates only the fields given, auditing a price change', async () => {
    const product = await createProduct(s.ds, router, { priceCents: 2000, validitySeconds: 3600 });
    const response = await inject('PUT', `/api/v1/admin/products/${product.id}`, { precio: 25.5, destacado: true });
    expect(response.json()).toMatchObject({
      precio: 25.5,
      destacado: true,
      vigencia_segundos: 3600,
      nombre_venta: '1 hora',
      moneda: 'MXN',
    });
    expect((await auditRows(s.ds, 'product.updated')).at(-1)?.detail).toEqual({
      fields: ['priceCents', 'featured'],
      price: { from: { price_cents: 2000, currency: 'MXN' }, to: { price_cents: 2550, currency: 'MXN' } },
    });
    const badCurrency = await inject('PUT', `/api/v1/admin/products/${product.id}`, { moneda: 'ARS' });
    expect(badCurrency.statusCode).toBe(422);
    expect(badCurrency.json().detail).toEqual([
      { loc: ['body', 'moneda'], msg: "Input should be 'MXN' or 'USD' or 'EUR'", type: 'literal_error' },
    ]);
  });

  it('soft-deletes a product', async () => {
    const product = await createProduct(s.ds, router);
    const response = await inject('DELETE', `/api/v1/admin/products/${product.id}`);
    expect(response.json()).toEqual({ message: 'Producto desactivado', producto_id: product.id, activo: false });
    expect(await s.ds.getRepository(ProductEntity).findOneByOrFail({ id: product.id })).toMatchObject({ active: false });
  });

  it('reorders own products; a foreign id rolls the whole reorder back', async () => {
    const [p1, p2, p3] = [await createProduct(s.ds, router), await createProduct(s.ds, router), await createProduct(s.ds, router)];
    const response = await inject('PUT', '/api/v1/admin/products/reorder', { producto_ids: [p3.id, p1.id, p2.id] });
    expect(response.json()).toEqual({
      message: 'Orden actualizado',
      productos: [
        { id: p3.id, orden_visual: 0 },
        { id: p1.id, orden_visual: 1 },
        { id: p2.id, orden_visual: 2 },
      ],
    });
    const order = async () =>
      (await s.ds.getRepository(ProductEntity).findBy([{ id: p1.id }, { id: p2.id }, { id: p3.id }])).map((p) => [p.id, p.displayOrder]);
    expect(Object.fromEntries(await order())).toEqual({ [p3.id]: 0, [p1.id]: 1, [p2.id]: 2 });

    const foreign = await createProduct(s.ds, foreignRouter);
    const refused = await inject('PUT', '/api/v1/admin/products/reorder', { producto_ids: [p1.id, foreign.id] });
    expect(refused.statusCode).toBe(404);
    expect(Object.fromEntries(await order())).toEqual({ [p3.id]: 0, [p1.id]: 1, [p2.id]: 2 });
    expect((await inject('PUT', '/api/v1/admin/products/reorder', { producto_ids: [p1.id, p1.id] })).statusCode).toBe(422);
  });

  it("shows an edit in the portal's catalog at once, though the catalog is cached", async () => {
    const portalRouter = await createRouter(s.ds, s.t.deps.secrets, s.company.id);
    const product = await createProduct(s.ds, portalRouter, { priceCents: 2000 });
    const { apiKey } = await issueKey(s.ds, s.config, portalRouter);
    const catalog = async () =>
      (await s.t.app.inject({ method: 'GET', url: '/api/v1/catalogo_perfiles_venta', headers: { 'x-api-key': apiKey } })).json();
    expect(await catalog()).toEqual([expect.objectContaining({ id: product.id, precio: 20 })]);

    await inject('PUT', `/api/v1/admin/products/${product.id}`, { precio: 25.5 });
    expect(await catalog()).toEqual([expect.objectContaining({ id: product.id, precio: 25.5 })]);
    await inject('DELETE', `/api/v1/admin/products/${product.id}`);
    expect(await catalog()).toEqual([]);
  });

  it("answers 404 for another company's product on get, update and delete, and changes nothing", async () => {
    const foreign = await createProduct(s.ds, foreignRouter, { name: 'Ajeno' });
    expect((await inject('GET', `/api/v1/admin/products/${foreign.id}`)).json()).toEqual({ detail: 'Producto no encontrado' });
    expect((await inject('PUT', `/api/v1/admin/products/${foreign.id}`, { precio: 1 })).statusCode).toBe(404);
    expect((await inject('DELETE', `/api/v1/admin/products/${foreign.id}`)).statusCode).toBe(404);
    expect(await s.ds.getRepository(ProductEntity).findOneByOrFail({ id: foreign.id })).toMatchObject({ active: true, priceCents: 2000 });
    expect((await inject('GET', '/api/v1/admin/products/abc')).statusCode).toBe(422);
  });
});
