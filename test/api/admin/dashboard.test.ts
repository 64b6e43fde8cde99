import type { ProductEntity, RouterEntity } from '../../../db/entities';
import { createProduct, createRouter } from '../../helpers/fixtures';
import { createPurchase, setupAdminTest, type AdminTest } from './support';

describe('dashboards', () => {
  let s: AdminTest;
  let lobby: RouterEntity;
  let terrace: RouterEntity;
  let hour: ProductEntity;
  const at = (iso: string) => new Date(iso);

  beforeAll(async () => {
    s = await setupAdminTest();
    lobby = await createRouter(s.ds, s.t.deps.secrets, s.company.id, { name: 'Lobby' });
    terrace = await createRouter(s.ds, s.t.deps.secrets, s.company.id, { name: 'Terraza' });
    hour = await createProduct(s.ds, lobby, { name: '1 hora' });
    const buy = (router: RouterEntity, values: Parameters<typeof createPurchase>[3]) =>
      createPurchase(s.ds, router, router === lobby ? hour : null, values);
    // Revenue counts paid/active/expired/revoked, less refunded cents; refunded, declined and in-flight ones do not.
    await buy(lobby, { createdAt: at('2025-05-01T09:00:00Z'), status: 'expired', amountCents: 1999 });
    await buy(lobby, { createdAt: at('2025-05-01T12:00:00Z'), status: 'active', amountCents: 2000, refundedCents: 500 });
    await buy(lobby, { createdAt: at('2025-05-02T12:00:00Z'), status: 'revoked', amountCents: 1000 });
    await buy(terrace, { createdAt: at('2025-05-02T13:00:00Z'), status: 'paid', amountCents: 500, currency: 'USD' });
    await buy(terrace, { createdAt: at('2025-05-02T14:00:00Z'), status: 'refunded', amountCents: 3000, refundedCents: 3000 });
    await buy(terrace, { createdAt: at('2025-05-03T14:00:00Z'), status: 'declined', amountCents: 3000 });
    await buy(terrace, { createdAt: at('2025-05-03T15:00:00Z'), status: 'failed', amountCents: 3000 });
    await buy(terrace, { createdAt: at('2025-05-03T16:00:00Z'), status: 'pending', amountCents: 3000 });
    const foreign = await createRouter(s.ds, s.t.deps.secrets, s.other.id);
    await createPurchase(s.ds, foreign, null, { createdAt: at('2025-05-01T10:00:00Z'), status: 'active', amountCents: 10_000 });
  });
  afterAll(() => s.close());

  const get = (url: string, headers: { authorization: string }) => s.t.app.inject({ method: 'GET', url, headers });

  it('gives the super admin platform counts and revenue per currency', async () => {
    const response = await get('/admin/dashboard', s.superAdmin.headers);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      estadisticas: {
        total_empresas: 2,
        empresas_activas: 2,
        total_usuarios: 3,
        total_routers: 3,
        routers_activos: 3,
        total_compras: 9,
        compras_pagadas: 6,
      },
      periodo: { desde: null, hasta: null },
      ingresos_por_moneda: { MXN: 144.99, USD: 5 },
      // gross: every approved charge (the refunded one too); net: less what went back
      dinero_por_moneda: {
        MXN: { bruto: 179.99, reembolsado: 35, contracargos: 0, neto: 144.99 },
        USD: { bruto: 5, reembolsado: 0, contracargos: 0, neto: 5 },
      },
      timestamp: expect.any(String),
    });
    const ranged = await get('/admin/dashboard?desde=2025-05-02&hasta=2025-05-02', s.superAdmin.headers);
    expect(ranged.json()).toMatchObject({
      estadisticas: { total_compras: 3, compras_pagadas: 3 },
      periodo: { desde: '2025-05-02T00:00:00.000Z', hasta: '2025-05-03T00:00:00.000Z' },
      ingresos_por_moneda: { MXN: 10, USD: 5 },
    });
    expect((await get('/admin/dashboard', s.companyAdmin.headers)).statusCode).toBe(403);
  });

  it("gives the company admin the original's block plus revenue and counts per day, router, product and approval rate", async () => {
    const response = await get('/api/v1/admin/mi-empresa/dashboard?desde=2025-05-01&hasta=2025-05-03', s.companyAdmin.headers);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.empresa).toEqual({ nombre: 'Café Norte', activa: true });
    expect(body.estadisticas).toEqual({
      total_transacciones: 8,
      ingresos_totales: 49.99, // 19.99 + 15 + 10 + 5 (USD): the original summed every currency together
      transacciones_pagadas: 5,
      transacciones_pendientes: 1,
      total_routers: 2,
    });
    expect(body.transacciones_recientes).toHaveLength(5);
    expect(body.transacciones_recientes[0]).toEqual({
      id: expect.any(String),
      transaccion_id: expect.any(String),
      monto: 30,
      estado: 'pending',
      fecha: '2025-05-03T16:00:00.000Z',
    });
    expect(body.periodo).toEqual({ desde: '2025-05-01T00:00:00.000Z', hasta: '2025-05-04T00:00:00.000Z' });
    expect(body.ingresos_por_moneda).toEqual({ MXN: 44.99, USD: 5 });
    expect(body.por_dia).toEqual([
      { fecha: '2025-05-01', compras: 2, compras_pagadas: 2, ingresos: { MXN: 34.99 } },
      { fecha: '2025-05-02', compras: 3, compras_pagadas: 3, ingresos: { MXN: 10, USD: 5 } },
      { fecha: '2025-05-03', compras: 3, compras_pagadas: 0, ingresos: { MXN: 0 } },
    ]);
    expect(body.por_router).toEqual(
      expect.arrayContaining([
        { router_id: lobby.id, router_nombre: 'Lobby', compras: 3, compras_pagadas: 3, ingresos: { MXN: 44.99 } },
        { router_id: terrace.id, router_nombre: 'Terraza', compras: 5, compras_pagadas: 2, ingresos: { MXN: 0, USD: 5 } },
      ]),
    );
    expect(body.por_producto).toEqual(
      expect.arrayContaining([
        { producto_id: hour.id, producto_nombre: '1 hora', compras: 3, compras_pagadas: 3, ingresos: { MXN: 44.99 } },
        { producto_id: null, producto_nombre: '1 hora', compras: 5, compras_pagadas: 2, ingresos: { MXN: 0, USD: 5 } },
      ]),
    );
    expect(body.tasa_aprobacion).toEqual({ aprobadas: 5, rechazadas: 1, fallidas: 1, canceladas: 0, en_curso: 1, tasa: 0.8333 });
  });

  it('defaults the breakdown to the last 30 days and validates the range', async () => {
    const response = await get('/api/v1/admin/mi-empresa/dashboard', s.otherAdmin.headers);
    const body = response.json();
    expect(body.por_dia).toEqual([]);
    expect(body.tasa_aprobacion.tasa).toBeNull();
    expect(body.estadisticas).toMatchObject({ total_transacciones: 1, ingresos_totales: 100 });
    expect(Date.parse(body.periodo.hasta) - Date.parse(body.periodo.desde)).toBe(30 * 86_400_000);
    expect((await get('/api/v1/admin/mi-empresa/dashboard?desde=mañana', s.companyAdmin.headers)).statusCode).toBe(422);
    expect((await get('/api/v1/admin/mi-empresa/dashboard', s.superAdmin.headers)).statusCode).toBe(403);
  });
});
