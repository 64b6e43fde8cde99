import { ProductEntity, PurchaseEntity, RouterApiKeyEntity, RouterEntity } from '../../../db/entities';
import { DomainError } from '../../../domain/errors';
import { sha256Hex } from '../../../shared/secrets';
import { createProduct, createRouter, issueKey } from '../../helpers/fixtures';
import { auditRows, createPurchase, setupAdminTest, type AdminTest } from './support';

describe('super admin: routers of a company', () => {
  let s: AdminTest;
  beforeAll(async () => {
    s = await setupAdminTest();
  });
  afterAll(() => s.close());

  const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
    s.t.app.inject({ method, url, headers: s.superAdmin.headers, payload });
  const base = () => `/admin/empresas/${s.company.id}/routers`;

  it('creates a router with an RTR_ id, its password encrypted, and returns its API key once', async () => {
    const response = await inject('POST', base(), {
      empresa_id: s.company.id,
      nombre: 'Lobby',
      host: '192.168.88.1',
      usuario: 'api',
      password: 'routeros-secret',
      ubicacion: 'Recepción',
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^RTR_[0-9A-F]{8}$/),
      empresa_id: s.company.id,
      nombre: 'Lobby',
      host: '192.168.88.1',
      puerto: 8728,
      usuario: 'api',
      ubicacion: 'Recepción',
      activo: true,
      use_tls: false,
      tls_verify: true,
      tls_fingerprint: null,
      creado_en: expect.any(String),
      api_key: expect.stringMatching(/^jwt_/),
      api_key_info: {
        key_id: expect.stringMatching(/^key_/),
        issued_at: expect.any(String),
        expires_at: expect.any(String),
        type: 'router_api_key',
      },
    });
    const row = await s.ds.getRepository(RouterEntity).findOneByOrFail({ id: body.id });
    expect(row.apiPasswordEncrypted).toMatch(/^v1\./);
    expect(s.t.deps.secrets.decrypt(row.apiPasswordEncrypted)).toBe('routeros-secret');
    const key = await s.ds.getRepository(RouterApiKeyEntity).findOneByOrFail({ routerId: body.id });
    expect(key.keyHash).toBe(sha256Hex(body.api_key.slice(4)));
    // Kept encrypted for the router's portal package; never the key in clear.
    expect(key.keyEncrypted).toMatch(/^v1\./);
    expect(s.t.deps.secrets.decrypt(key.keyEncrypted!)).toBe(body.api_key);
    expect((await auditRows(s.ds, 'router.created')).map((a) => a.target_id)).toContain(body.id);

    // The key is never shown again.
    expect(JSON.stringify((await inject('GET', `${base()}/${body.id}`)).json())).not.toContain('jwt_');
  });

  it('defaults the port to 8729 with TLS and normalises the certificate fingerprint', async () => {
    const response = await inject('POST', base(), {
      nombre: 'TLS',
      host: 'router.example.net',
      usuario: 'api',
      password: 'x',
      use_tls: true,
      tls_verify: false,
      tls_fingerprint: 'ab'.repeat(32),
    });
    expect(response.json()).toMatchObject({
      puerto: 8729,
      use_tls: true,
      tls_verify: false,
      tls_fingerprint: Array(32).fill('AB').join(':'),
    });
  });

  it('validates the body and the company', async () => {
    const invalid = await inject('POST', base(), { nombre: 'x', host: 'bad host;', puerto: 70000, usuario: '', password: '' });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().detail.map((d: { loc: string[] }) => d.loc[1])).toEqual(['host', 'puerto', 'usuario', 'password']);
    const mismatch = await inject('POST', base(), { empresa_id: s.other.id, nombre: 'x', host: 'h', usuario: 'u', password: 'p' });
    expect(mismatch.statusCode).toBe(422);
    const noCompany = await inject('POST', '/admin/empresas/EMP_NOPE/routers', { nombre: 'x', host: 'h', usuario: 'u', password: 'p' });
    expect(noCompany.statusCode).toBe(404);
    expect(noCompany.json()).toEqual({ detail: 'Empresa no encontrada' });
  });

  it('refuses to create a router outside ROUTER_ALLOWED_NETWORKS or with control characters, naming the fields', async () => {
    const body = { nombre: 'Metadata', host: '169.254.169.254', usuario: 'api', password: 'secret' };
    const outside = await inject('POST', base(), body);
    expect(outside.statusCode).toBe(422);
    expect(outside.json().detail).toEqual([
      { loc: ['body', 'host'], msg: 'La dirección del router no está permitida (ROUTER_ALLOWED_NETWORKS)', type: 'value_error' },
    ]);
    const injected = await inject('POST', base(), { ...body, host: '10.0.0.9', usuario: 'api\r\n', password: 'a\r\n/quit', ubicacion: '\u0007' });
    expect(injected.statusCode).toBe(422);
    expect(injected.json().detail.map((d: { loc: string[]; msg: string }) => [d.loc[1], d.msg])).toEqual([
      ['password', 'No se permiten caracteres de control'],
      ['ubicacion', 'No se permiten caracteres de control'],
    ]);
    expect(await s.ds.getRepository(RouterEntity).existsBy({ name: 'Metadata' })).toBe(false);
  });

  it("lists a company's routers (paginated) and answers 404 for a router of another company", async () => {
    const foreign = await createRouter(s.ds, s.t.deps.secrets, s.other.id);
    const list = await inject('GET', `${base()}?limit=1`);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toHaveLength(1);
    expect(Number(list.headers['x-total-count'])).toBeGreaterThanOrEqual(2);

    for (const [method, suffix] of [
      ['GET', ''],
      ['PUT', ''],
      ['DELETE', ''],
      ['PUT', '/toggle-activo'],
      ['GET', '/test-connection'],
    ] as const) {
      const response = await inject(method, `${base()}/${foreign.id}${suffix}`, method === 'PUT' && !suffix ? { nombre: 'x' } : undefined);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ detail: 'Router no encontrado o no pertenece a la empresa' });
    }
    expect((await s.ds.getRepository(RouterEntity).findOneByOrFail({ id: foreign.id })).name).toBe('Router Lobby');
  });

  it('updates connection data keeping what is left out (the original reset the port)', async () => {
    const router = await createRouter(s.ds, s.t.deps.secrets, s.company.id, { port: 8729, useTls: true });
    const response = await inject('PUT', `${base()}/${router.id}`, { nombre: 'Terraza', password_encrypted: 'new-secret' });
    expect(response.json()).toMatchObject({
      message: 'Router actualizado correctamente',
      router: { nombre: 'Terraza', puerto: 8729, use_tls: true },
    });
    const row = await s.ds.getRepository(RouterEntity).findOneByOrFail({ id: router.id });
    expect(s.t.deps.secrets.decrypt(row.apiPasswordEncrypted)).toBe('new-secret');
    expect((await auditRows(s.ds, 'router.updated')).at(-1)?.detail).toEqual({ fields: ['name', 'apiPasswordEncrypted'] });
  });

  it('activates and deactivates explicitly and with the original toggle; the key follows at once', async () => {
    const router = await createRouter(s.ds, s.t.deps.secrets, s.company.id);
    const key = await issueKey(s.ds, s.config, router);
    const portal = () =>
      s.t.app.inject({ method: 'GET', url: '/api/v1/config/public', headers: { authorization: `Bearer ${key.apiKey}` } });
    expect((await portal()).statusCode).toBe(200);
    const off = await inject('PUT', `${base()}/${router.id}/activo`, { activo: false });
    expect(off.json()).toEqual({ message: 'Router desactivado correctamente', router_id: router.id, activo: false });
    expect((await portal()).json()).toEqual({ detail: 'Router no activo' });
    const toggled = await inject('PUT', `${base()}/${router.id}/toggle-activo`);
    expect(toggled.json()).toEqual({ message: 'Router activado correctamente', router_id: router.id, activo: true });
    expect((await portal()).statusCode).toBe(200);
    expect((await auditRows(s.ds, 'router.deactivated')).map((a) => a.target_id)).toContain(router.id);
  });

  it('deletes a router with its products and keys, keeping past purchases (the original always failed)', async () => {
    const router = await createRouter(s.ds, s.t.deps.secrets, s.company.id);
    const product = await createProduct(s.ds, router);
    const regenerated = await inject('POST', `${base()}/${router.id}/regenerate-api-key`);
    expect(regenerated.statusCode).toBe(200);
    const old = await createPurchase(s.ds, router, product, { status: 'expired' });

    const response = await inject('DELETE', `${base()}/${router.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: 'Router eliminado correctamente', router_id: router.id });
    expect(await s.ds.getRepository(RouterEntity).existsBy({ id: router.id })).toBe(false);
    expect(await s.ds.getRepository(ProductEntity).existsBy({ id: product.id })).toBe(false);
    expect(await s.ds.getRepository(RouterApiKeyEntity).existsBy({ routerId: router.id })).toBe(false);
    expect(await s.ds.getRepository(PurchaseEntity).findOneByOrFail({ id: old.id })).toMatchObject({
      routerId: null,
      productId: null,
      routerName: 'Router Lobby',
    });
    expect((await auditRows(s.ds, 'router.deleted')).map((a) => a.target_id)).toContain(router.id);
  });

  it.each(['created', 'charging', 'pending', 'paid', 'active'] as const)(
    'refuses to delete a router with a %s purchase (409)',
    async (status) => {
      const router = await createRouter(s.ds, s.t.deps.secrets, s.company.id);
      await createPurchase(s.ds, router, null, { status });
      const response = await inject('DELETE', `${base()}/${router.id}`);
      expect(response.statusCode).toBe(409);
      expect(response.json()).toEqual({ detail: 'No se puede eliminar el router porque tiene 1 compra(s) en curso o activa(s)' });
      expect(await s.ds.getRepository(RouterEntity).existsBy({ id: router.id })).toBe(true);
    },
  );

  it('tests the connection through the probe workflow', async () => {
    const router = await createRouter(s.ds, s.t.deps.secrets, s.company.id);
    const ok = await inject('GET', `${base()}/${router.id}/test-connection`);
    expect(ok.json()).toEqual({
      success: true,
      message: 'Conexión exitosa',
      router: { id: router.id, nombre: 'Router Lobby', host: '127.0.0.1', puerto: 8728, activo: true },
      perfiles_encontrados: 2,
      router_name: 'MikroTik-Lobby',
      version: '7.15.3',
      latencia_ms: 12,
      error: null,
      timestamp: expect.any(String),
    });
    expect(s.workflows.callsOf('probeRouter').at(-1)).toEqual([router.id]);

    s.workflows.results.probeRouter = { ok: false, code: 'ROUTER_UNREACHABLE', message: 'No se pudo conectar al router' };
    const failed = await inject('GET', `${base()}/${router.id}/test-connection`);
    expect(failed.statusCode).toBe(200);
    expect(failed.json()).toMatchObject({
      success: false,
      message: 'Error de conexión',
      error: 'No se pudo conectar al router',
      perfiles_encontrados: 0,
    });

    s.workflows.results.probeRouter = new DomainError('ROUTER_UNREACHABLE', 'La operación no terminó a tiempo. Intente de nuevo.');
    const timedOut = await inject('GET', `${base()}/${router.id}/test-connection`);
    expect(timedOut.statusCode).toBe(503);
    expect(timedOut.json()).toEqual({ detail: 'La operación no terminó a tiempo. Intente de nuevo.' });
  });
});
