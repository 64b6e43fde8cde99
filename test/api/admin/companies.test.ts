import { CompanyEntity } from '../../../db/entities';
import { createAdmin, createCompany, createRouter, issueKey } from '../../helpers/fixtures';
import { auditRows, companyRow, createPurchase, setupAdminTest, type AdminTest } from './support';

describe('super admin: companies', () => {
  let s: AdminTest;
  beforeAll(async () => {
    s = await setupAdminTest();
  });
  afterAll(() => s.close());

  const inject = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown>, headers = s.superAdmin.headers) =>
    s.t.app.inject({ method, url, headers, payload });

  it('creates a company with an EMP_ id and its Conekta key encrypted at rest', async () => {
    const response = await inject('POST', '/admin/empresas', {
      nombre: 'Plaza Centro',
      contacto_email: 'Admin@Plaza.example',
      contacto_telefono: '+52 55 1234 5678',
      conekta_private_key: 'key_live_private_123',
      conekta_public_key: 'key_live_public_123',
      conekta_mode: 'live',
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^EMP_[0-9A-F]{10}$/),
      nombre: 'Plaza Centro',
      contacto_email: 'admin@plaza.example',
      contacto_telefono: '+52 55 1234 5678',
      conekta_mode: 'live',
      activa: true,
      creada_en: expect.stringMatching(/Z$/),
      logo_url: null,
      mercado_pago_mode: 'test',
      conekta_configurada: true,
      mercado_pago_configurado: false,
      webhooks_sin_secreto: ['conekta'], // its webhook key is registered after
    });
    const row = await companyRow(s.ds, body.id);
    expect(row.conektaPrivateKeyEncrypted).toMatch(/^v1\./);
    expect(s.t.deps.secrets.decrypt(row.conektaPrivateKeyEncrypted!)).toBe('key_live_private_123');
    expect(row.conektaPublicKey).toBe('key_live_public_123');
    const [audit] = await auditRows(s.ds, 'company.created');
    expect(audit).toMatchObject({ actor_email: s.superAdmin.user.email, company_id: body.id, target_id: body.id });
    expect(JSON.stringify(audit.detail)).not.toContain('key_live_private_123');
  });

  it('creates a company without gateway keys (no placeholder keys stored)', async () => {
    const response = await inject('POST', '/admin/empresas', { nombre: 'Sin llaves', contacto_email: 'a@b.example' });
    expect(response.statusCode).toBe(200);
    const row = await companyRow(s.ds, response.json().id);
    expect(row).toMatchObject({ conektaPrivateKeyEncrypted: null, conektaPublicKey: null, conektaMode: 'test' });
  });

  it('lists every invalid field in a 422', async () => {
    const response = await inject('POST', '/admin/empresas', { nombre: '', contacto_email: 'nope', conekta_mode: 'prod' });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual([
      'body.nombre',
      'body.contacto_email',
      'body.conekta_mode',
    ]);
  });

  it('lists companies a page at a time, with the total in X-Total-Count and a maximum page size', async () => {
    const all = await s.ds.getRepository(CompanyEntity).count();
    const page = await inject('GET', '/admin/empresas?limit=2&offset=1');
    expect(page.statusCode).toBe(200);
    expect(page.json()).toHaveLength(2);
    expect(page.headers['x-total-count']).toBe(String(all));

    const filtered = await inject('GET', '/admin/empresas?q=norte');
    expect(filtered.json().map((c: { nombre: string }) => c.nombre)).toEqual(['Café Norte']);

    // Without a limit, the whole list up to the maximum page, as panels written for the original read it.
    for (let i = all; i <= 50; i++) await createCompany(s.ds, { name: `Relleno ${i}` });
    const whole = await inject('GET', '/admin/empresas');
    expect(whole.json()).toHaveLength(await s.ds.getRepository(CompanyEntity).count());
    expect(whole.json().length).toBeGreaterThan(50);

    const tooBig = await inject('GET', '/admin/empresas?limit=1001');
    expect(tooBig.statusCode).toBe(422);
    expect(tooBig.json().detail[0].loc).toEqual(['querystring', 'limit']);
  });

  it('gets one company, or 404 with the original message', async () => {
    const found = await inject('GET', `/admin/empresas/${s.company.id}`);
    expect(found.json()).toMatchObject({ id: s.company.id, nombre: 'Café Norte', activa: true });
    const missing = await inject('GET', '/admin/empresas/EMP_NOPE');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: 'Empresa no encontrada' });
  });

  it('updates only the fields given: the Conekta mode and key stay when left out', async () => {
    const created = (
      await inject('POST', '/admin/empresas', {
        nombre: 'Hostal',
        contacto_email: 'h@h.example',
        conekta_private_key: 'key_keep_me',
        conekta_mode: 'live',
      })
    ).json();
    const before = await companyRow(s.ds, created.id);
    const response = await inject('PUT', `/admin/empresas/${created.id}`, { nombre: 'Hostal Azul', contacto_telefono: null });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      nombre: 'Hostal Azul',
      conekta_mode: 'live',
      contacto_telefono: null,
      conekta_configurada: true,
    });
    const after = await companyRow(s.ds, created.id);
    expect(after.conektaPrivateKeyEncrypted).toBe(before.conektaPrivateKeyEncrypted);
    expect((await auditRows(s.ds, 'company.updated')).at(-1)?.detail).toEqual({ fields: ['name', 'contactPhone'] });
    expect((await inject('PUT', '/admin/empresas/EMP_NOPE', { nombre: 'x' })).statusCode).toBe(404);
  });

  it("deactivates and activates a company (new), audited; its routers' keys stop and resume at once", async () => {
    const router = await createRouter(s.ds, s.t.deps.secrets, s.other.id);
    const key = await issueKey(s.ds, s.config, router);
    const portal = () =>
      s.t.app.inject({ method: 'GET', url: '/api/v1/config/public', headers: { authorization: `Bearer ${key.apiKey}` } });
    expect((await portal()).statusCode).toBe(200);

    const off = await inject('PUT', `/admin/empresas/${s.other.id}/activa`, { activa: false });
    expect(off.json()).toEqual({ message: 'Empresa desactivada correctamente', empresa_id: s.other.id, activa: false });
    expect((await companyRow(s.ds, s.other.id)).active).toBe(false);
    expect((await portal()).json()).toEqual({ detail: 'Empresa no activa' });
    const on = await inject('PUT', `/admin/empresas/${s.other.id}/activa`, { activa: true });
    expect(on.json().activa).toBe(true);
    expect((await portal()).statusCode).toBe(200);
    expect((await auditRows(s.ds, 'company.deactivated')).map((a) => a.target_id)).toContain(s.other.id);
    expect((await inject('PUT', '/admin/empresas/EMP_NOPE/activa', { activa: true })).statusCode).toBe(404);
    expect((await inject('PUT', `/admin/empresas/${s.other.id}/activa`, { activa: 'no' })).statusCode).toBe(422);
  });

  it('reports company stats in the original shape, with purchases and revenue', async () => {
    const company = (await inject('POST', '/admin/empresas', { nombre: 'Stats', contacto_email: 's@s.example' })).json();
    const router = await createRouter(s.ds, s.t.deps.secrets, company.id);
    await createRouter(s.ds, s.t.deps.secrets, company.id, { active: false });
    await issueKey(s.ds, s.config, router);
    await createAdmin(s.ds, { role: 'cliente_admin', companyId: company.id });
    await createPurchase(s.ds, router, null, { status: 'active', amountCents: 1999 });
    await createPurchase(s.ds, router, null, { status: 'declined' });

    const response = await inject('GET', `/admin/empresas/${company.id}/stats`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      empresa: { id: company.id, nombre: 'Stats', activa: true, creada_en: expect.any(String), contacto_email: 's@s.example' },
      estadisticas: {
        total_routers: 2,
        routers_activos: 1,
        routers_inactivos: 1,
        total_usuarios_admin: 1,
        api_keys_activas: 1,
        total_productos: 0,
        productos_activos: 0,
        total_compras: 2,
        compras_pagadas: 1,
      },
      ingresos_por_moneda: { MXN: 19.99 },
    });
    expect((await inject('GET', '/admin/empresas/EMP_NOPE/stats')).statusCode).toBe(404);
  });

  it('refuses a company admin with 403, as the original', async () => {
    const response = await inject('GET', '/admin/empresas', undefined, s.companyAdmin.headers);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ detail: 'Se requiere rol SUPER_ADMIN' });
  });
});
