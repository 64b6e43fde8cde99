import { RouterEntity } from '../../../db/entities';
import { createRouter } from '../../helpers/fixtures';
import { profile } from '../../helpers/fake-workflows';
import { auditRows, setupAdminTest, type AdminTest } from './support';

describe('company admin: own routers', () => {
  let s: AdminTest;
  let mine: RouterEntity;
  let foreign: RouterEntity;
  beforeAll(async () => {
    s = await setupAdminTest();
    mine = await createRouter(s.ds, s.t.deps.secrets, s.company.id, { name: 'Terraza', port: 8729, useTls: true });
    foreign = await createRouter(s.ds, s.t.deps.secrets, s.other.id, { name: 'Ajeno' });
  });
  beforeEach(() => s.workflows.reset());
  afterAll(() => s.close());

  const inject = (method: 'GET' | 'PUT', url: string, payload?: Record<string, unknown>, headers = s.companyAdmin.headers) =>
    s.t.app.inject({ method, url, headers, payload });

  it('lists only the own routers, in the original shape', async () => {
    const response = await inject('GET', '/api/v1/admin/mi-empresa/routers');
    expect(response.json()).toEqual({
      empresa_id: s.company.id,
      total: 1,
      routers: [{ id: mine.id, nombre: 'Terraza', host: '127.0.0.1', ubicacion: 'Lobby', activo: true, creado_en: expect.any(String) }],
    });
  });

  it('updates connection data: fields left out are unchanged, the password re-encrypted, TLS settings editable', async () => {
    const response = await inject('PUT', `/api/v1/admin/mi-empresa/routers/${mine.id}`, {
      host: '10.0.0.1',
      password_encrypted: 'nueva-clave',
      tls_verify: false,
      tls_fingerprint: 'AB:'.repeat(31) + 'AB',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      message: 'Router actualizado correctamente',
      router: expect.objectContaining({
        id: mine.id,
        nombre: 'Terraza',
        host: '10.0.0.1',
        puerto: 8729,
        usuario: 'admin',
        activo: true,
        use_tls: true,
        tls_verify: false,
      }),
    });
    const row = await s.ds.getRepository(RouterEntity).findOneByOrFail({ id: mine.id });
    expect(row.port).toBe(8729);
    expect(row.apiPasswordEncrypted).toMatch(/^v1\./);
    expect(s.t.deps.secrets.decrypt(row.apiPasswordEncrypted)).toBe('nueva-clave');
    expect(JSON.stringify(response.json())).not.toContain('nueva-clave');
    expect((await auditRows(s.ds, 'router.updated')).at(-1)).toMatchObject({
      company_id: s.company.id,
      detail: { fields: ['host', 'apiPasswordEncrypted', 'tlsVerify', 'tlsFingerprint'] },
    });

    const invalid = await inject('PUT', `/api/v1/admin/mi-empresa/routers/${mine.id}`, { puerto: 0, tls_fingerprint: 'xyz' });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().detail.map((d: { loc: string[] }) => d.loc[1])).toEqual(['puerto', 'tls_fingerprint']);
  });

  it("reads the router's hotspot profiles live, every field filled, in the original's keys", async () => {
    s.workflows.results.probeRouter = {
      ok: true,
      identity: 'Terraza',
      version: '6.49.10',
      majorVersion: 6,
      latencyMs: 5,
      profiles: [profile({ id: '*A', name: '1dia', rateLimit: '10M/10M', sessionTimeout: '1d', sharedUsers: '2', addMacCookie: false })],
    };
    const response = await inject('GET', `/api/v1/admin/routers/${mine.id}/mikrotik-profiles`);
    expect(response.json()).toEqual([
      {
        id: '*A',
        name: '1dia',
        session_timeout: '1d',
        idle_timeout: 'none',
        keepalive_timeout: '2m',
        status_autorefresh: '1m',
        shared_users: '2',
        rate_limit: '10M/10M',
        address_list: 'clientes',
        mac_cookie_timeout: '3d',
        add_mac_cookie: false,
      },
    ]);
    expect(s.workflows.callsOf('probeRouter')).toEqual([[mine.id]]);
  });

  it('maps a failed probe to its status, and refuses an inactive router like the original', async () => {
    s.workflows.results.probeRouter = { ok: false, code: 'ROUTER_LOGIN_REFUSED', message: 'El router rechazó el usuario o la contraseña' };
    const refused = await inject('GET', `/api/v1/admin/routers/${mine.id}/mikrotik-profiles`);
    expect(refused.statusCode).toBe(502);
    expect(refused.json()).toEqual({ detail: 'El router rechazó el usuario o la contraseña' });

    const inactive = await createRouter(s.ds, s.t.deps.secrets, s.company.id, { active: false });
    const response = await inject('GET', `/api/v1/admin/routers/${inactive.id}/mikrotik-profiles`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'El router está inactivo. Actívalo primero desde el panel.' });
  });

  it('tests the connection in the original shape', async () => {
    const response = await inject('GET', `/api/v1/admin/routers/${mine.id}/test-connection`);
    expect(response.json()).toMatchObject({
      success: true,
      message: 'Conexión exitosa',
      router: { id: mine.id, nombre: 'Terraza', puerto: 8729, activo: true },
      perfiles_encontrados: 2,
      router_name: 'MikroTik-Lobby',
      error: null,
    });
  });

  it("answers 404 for another company's router on every route, and changes nothing", async () => {
    for (const [method, url] of [
      ['PUT', `/api/v1/admin/mi-empresa/routers/${foreign.id}`],
      ['GET', `/api/v1/admin/routers/${foreign.id}/mikrotik-profiles`],
      ['GET', `/api/v1/admin/routers/${foreign.id}/test-connection`],
    ] as const) {
      const response = await inject(method, url, method === 'PUT' ? { nombre: 'Robado' } : undefined);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ detail: 'Router no encontrado o no pertenece a tu empresa' });
    }
    expect(s.workflows.callsOf('probeRouter')).toEqual([]);
    expect((await s.ds.getRepository(RouterEntity).findOneByOrFail({ id: foreign.id })).name).toBe('Ajeno');
  });
});
