import { RouterEntity } from '../../../db/entities';
import { buildTestApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
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

  it('refuses a new host, port or TLS setting without the password (422 naming it): the stored one stays with its endpoint', async () => {
    const router = await createRouter(s.ds, s.t.deps.secrets, s.company.id, { host: '10.0.0.1', port: 8728, password: 'stored-secret' });
    const url = `/api/v1/admin/mi-empresa/routers/${router.id}`;
    for (const moved of [{ host: '10.0.0.2' }, { puerto: 28999 }, { host: '10.0.0.1', puerto: 8729 }, { use_tls: true }, { tls_verify: false }, { tls_fingerprint: 'ab'.repeat(32) }]) {
      const response = await inject('PUT', url, moved);
      expect({ moved, status: response.statusCode, body: response.json() }).toEqual({
        moved,
        status: 422,
        body: { detail: [{ loc: ['body', 'password'], msg: expect.stringContaining('contraseña'), type: 'missing' }] },
      });
    }
    const row = await s.ds.getRepository(RouterEntity).findOneByOrFail({ id: router.id });
    expect({ host: row.host, port: row.port, useTls: row.useTls, tlsVerify: row.tlsVerify }).toEqual({ host: '10.0.0.1', port: 8728, useTls: false, tlsVerify: true });

    // A form sending the endpoint back unchanged, or changing something else, needs no password.
    expect((await inject('PUT', url, { host: '10.0.0.1', puerto: 8728, use_tls: false, nombre: 'Patio' })).statusCode).toBe(200);
    const moved = await inject('PUT', url, { host: '10.0.0.2', puerto: 28999, password: 'new-secret' });
    expect(moved.statusCode).toBe(200);
    const after = await s.ds.getRepository(RouterEntity).findOneByOrFail({ id: router.id });
    expect([after.host, after.port, s.t.deps.secrets.decrypt(after.apiPasswordEncrypted)]).toEqual(['10.0.0.2', 28999, 'new-secret']);
  });

  it('refuses (422 naming host) an endpoint outside ROUTER_ALLOWED_NETWORKS and addresses in disguise', async () => {
    const url = `/api/v1/admin/mi-empresa/routers/${mine.id}`;
    for (const host of ['169.254.169.254', '::1', '0.0.0.0', '224.0.0.1', 'fe80::1']) {
      const response = await inject('PUT', url, { host, puerto: 28999, password: 'x' });
      expect({ host, status: response.statusCode, body: response.json() }).toEqual({
        host,
        status: 422,
        body: { detail: [{ loc: ['body', 'host'], msg: 'La dirección del router no está permitida (ROUTER_ALLOWED_NETWORKS)', type: 'value_error' }] },
      });
    }
    for (const host of ['127.1', '2130706433', '0x7f000001', '[::1]', 'a\r\nb']) {
      const response = await inject('PUT', url, { host, password: 'x' });
      expect({ host, status: response.statusCode, loc: response.json().detail[0].loc, msg: response.json().detail[0].msg }).toEqual({
        host,
        status: 422,
        loc: ['body', 'host'],
        msg: 'Host inválido',
      });
    }
    expect((await s.ds.getRepository(RouterEntity).findOneByOrFail({ id: mine.id })).port).toBe(8729);

    // The production default refuses this machine too, by address and by name.
    const production = await buildTestApp(s.db, testConfig({ ROUTER_ALLOWED_NETWORKS: undefined }), { workflows: s.workflows });
    try {
      for (const host of ['127.0.0.1', 'localhost']) {
        const response = await production.app.inject({ method: 'PUT', url, headers: s.companyAdmin.headers, payload: { host, puerto: 28999, password: 'x' } });
        expect({ host, status: response.statusCode, loc: response.json().detail[0].loc }).toEqual({ host, status: 422, loc: ['body', 'host'] });
      }
    } finally {
      await production.close();
    }
  });

  it('refuses control characters in every router field, naming each', async () => {
    const response = await inject('PUT', `/api/v1/admin/mi-empresa/routers/${mine.id}`, {
      nombre: 'Lobby\u0000',
      usuario: 'admin\r\n/quit',
      password: 'x\ny',
      ubicacion: 'Planta\u007fbaja',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail).toEqual(
      ['nombre', 'usuario', 'password', 'ubicacion'].map((field) => ({
        loc: ['body', field],
        msg: 'No se permiten caracteres de control',
        type: 'value_error',
      })),
    );
    expect((await s.ds.getRepository(RouterEntity).findOneByOrFail({ id: mine.id })).apiUser).toBe('admin');
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
