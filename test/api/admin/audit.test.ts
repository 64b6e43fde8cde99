import { setupAdminTest, type AdminTest } from './support';

describe('super admin: audit log', () => {
  let s: AdminTest;
  beforeAll(async () => {
    s = await setupAdminTest();
    const as = (headers: { authorization: string }) => (method: 'POST' | 'PUT', url: string, payload: Record<string, unknown>) =>
      s.t.app.inject({ method, url, headers, payload });
    await as(s.companyAdmin.headers)('PUT', '/api/v1/admin/mi-empresa/conekta-config', { conekta_private_key: 'key_super_secret_1' });
    await as(s.otherAdmin.headers)('POST', '/api/v1/admin/mi-empresa/configurar-credenciales', { access_token: 'APP_USR-super-secret-2' });
    await as(s.superAdmin.headers)('PUT', `/admin/empresas/${s.company.id}/activa`, { activa: false });
    await as(s.superAdmin.headers)('PUT', `/admin/empresas/${s.company.id}/activa`, { activa: true });
  });
  afterAll(() => s.close());

  const get = (query = '', headers = s.superAdmin.headers) => s.t.app.inject({ method: 'GET', url: `/admin/audit-log${query}`, headers });

  it('lists who changed what, newest first, without secret values', async () => {
    const response = await get();
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ total: 4, limit: 50, offset: 0 });
    expect(body.registros.map((r: { accion: string }) => r.accion)).toEqual([
      'company.activated',
      'company.deactivated',
      'gateway.mercado_pago_updated',
      'gateway.conekta_updated',
    ]);
    expect(body.registros[3]).toEqual({
      id: expect.any(Number),
      creado_en: expect.any(String),
      actor_id: s.companyAdmin.user.id,
      actor_email: s.companyAdmin.user.email,
      empresa_id: s.company.id,
      accion: 'gateway.conekta_updated',
      objetivo_tipo: 'company',
      objetivo_id: s.company.id,
      detalle: { fields: ['conektaPrivateKey'] },
    });
    expect(response.body).not.toContain('super-secret');
    expect(response.body).not.toContain('super_secret');
  });

  it('filters by company, user, action (or family) and date, paginated', async () => {
    const actions = async (query: string) => (await get(query)).json().registros.map((r: { accion: string }) => r.accion);
    expect(await actions(`?empresa_id=${s.other.id}`)).toEqual(['gateway.mercado_pago_updated']);
    expect(await actions(`?usuario_id=${s.superAdmin.user.id}`)).toEqual(['company.activated', 'company.deactivated']);
    expect(await actions('?accion=gateway.')).toEqual(['gateway.mercado_pago_updated', 'gateway.conekta_updated']);
    expect(await actions('?accion=company.deactivated')).toEqual(['company.deactivated']);
    expect(await actions(`?objetivo_id=${s.other.id}`)).toEqual(['gateway.mercado_pago_updated']);
    expect(await actions('?hasta=2000-01-01')).toEqual([]);
    const page = (await get('?limit=1&offset=1')).json();
    expect(page).toMatchObject({ total: 4, limit: 1, offset: 1, registros: [{ accion: 'company.deactivated' }] });
    expect((await get('?limit=1000')).statusCode).toBe(422);
    expect((await get('?accion=DROP TABLE')).statusCode).toBe(422);
  });

  it('is for the super admin only', async () => {
    const response = await get('', s.companyAdmin.headers);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ detail: 'Se requiere rol SUPER_ADMIN' });
  });
});
