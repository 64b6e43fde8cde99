import { RouterApiKeyEntity } from '../../../db/entities';
import { createRouter, issueKey } from '../../helpers/fixtures';
import { auditRows, setupAdminTest, type AdminTest } from './support';

describe('super admin: router API keys', () => {
  let s: AdminTest;
  beforeAll(async () => {
    s = await setupAdminTest();
  });
  afterAll(() => s.close());

  const inject = (method: 'GET' | 'POST', url: string) => s.t.app.inject({ method, url, headers: s.superAdmin.headers });
  const routerUrl = (routerId: string, companyId = s.company.id) => `/admin/empresas/${companyId}/routers/${routerId}`;
  const keys = (routerId: string) => s.ds.getRepository(RouterApiKeyEntity).find({ where: { routerId }, order: { issuedAt: 'ASC' } });

  it('regenerates: the old key is revoked with revoked_at and the new one issued, in one transaction', async () => {
    const router = await createRouter(s.ds, s.t.deps.secrets, s.company.id);
    const first = await issueKey(s.ds, s.config, router, new Date(Date.now() - 60_000));
    const response = await inject('POST', `${routerUrl(router.id)}/regenerate-api-key`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      message: 'API Key regenerada exitosamente',
      router_id: router.id,
      new_api_key: expect.stringMatching(/^jwt_/),
      api_key_info: { key_id: expect.any(String), issued_at: expect.any(String), expires_at: expect.any(String), type: 'router_api_key' },
      previous_key_revoked: true,
    });
    const rows = await keys(router.id);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ keyId: first.keyId, revoked: true, revokedAt: expect.any(Date) });
    expect(rows[1]).toMatchObject({ keyId: body.api_key_info.key_id, revoked: false, revokedAt: null });
    expect(s.t.deps.secrets.decrypt(rows[1].keyEncrypted!)).toBe(body.new_api_key);
    expect((await auditRows(s.ds, 'api_key.regenerated')).at(-1)?.detail).toEqual({
      new_key_id: body.api_key_info.key_id,
      revoked_key_ids: [first.keyId],
    });

    // Concurrent regenerations serialise on the router row: still exactly one unrevoked key.
    const results = await Promise.all([1, 2, 3].map(() => inject('POST', `${routerUrl(router.id)}/regenerate-api-key`)));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect((await keys(router.id)).filter((k) => !k.revoked)).toHaveLength(1);
  });

  it('refuses to regenerate the key of an inactive router', async () => {
    const router = await createRouter(s.ds, s.t.deps.secrets, s.company.id, { active: false });
    const response = await inject('POST', `${routerUrl(router.id)}/regenerate-api-key`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'No se puede regenerar API key de un router inactivo' });
  });

  it('lists the key history, newest first (the original always answered 500)', async () => {
    const router = await createRouter(s.ds, s.t.deps.secrets, s.company.id);
    const first = await issueKey(s.ds, s.config, router, new Date(Date.now() - 60_000));
    await s.ds.getRepository(RouterApiKeyEntity).update({ keyId: first.keyId }, { revoked: true, revokedAt: new Date() });
    const second = await issueKey(s.ds, s.config, router);
    const response = await inject('GET', `${routerUrl(router.id)}/api-keys`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-total-count']).toBe('2');
    // The stored copy of a key (encrypted, for the portal package) is never listed.
    expect(response.body).not.toMatch(/jwt_|v1\.|encrypted/);
    expect(response.json()).toEqual([
      expect.objectContaining({
        key_id: second.keyId,
        router_id: router.id,
        empresa_id: s.company.id,
        revoked: false,
        revoked_at: null,
        use_count: 0,
        last_used: null,
      }),
      expect.objectContaining({ key_id: first.keyId, revoked: true, revoked_at: expect.stringMatching(/Z$/) }),
    ]);
  });

  it('revokes one key, and refuses an already revoked or unknown one', async () => {
    const router = await createRouter(s.ds, s.t.deps.secrets, s.company.id);
    const key = await issueKey(s.ds, s.config, router);
    const portal = () =>
      s.t.app.inject({ method: 'GET', url: '/api/v1/config/public', headers: { authorization: `Bearer ${key.apiKey}` } });
    expect((await portal()).statusCode).toBe(200);
    const url = `${routerUrl(router.id)}/api-keys/${key.keyId}/revoke`;
    const response = await inject('POST', url);
    expect((await portal()).json()).toEqual({ detail: 'API Key no válida o revocada' });
    expect(response.json()).toEqual({
      message: 'API Key revocada exitosamente',
      key_id: key.keyId,
      router_id: router.id,
      revoked_at: expect.any(String),
    });
    expect(await s.ds.getRepository(RouterApiKeyEntity).findOneByOrFail({ keyId: key.keyId })).toMatchObject({
      revoked: true,
      revokedAt: expect.any(Date),
    });
    expect((await inject('POST', url)).json()).toEqual({ detail: 'La API Key ya está revocada' });
    const unknown = await inject('POST', `${routerUrl(router.id)}/api-keys/key_nope/revoke`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ detail: 'API Key no encontrada' });
    expect((await auditRows(s.ds, 'api_key.revoked')).map((a) => a.target_id)).toContain(key.keyId);
  });

  it('reports the key status with the original warnings', async () => {
    const router = await createRouter(s.ds, s.t.deps.secrets, s.company.id);
    const status = async () => (await inject('GET', `${routerUrl(router.id)}/api-key-status`)).json();
    expect(await status()).toMatchObject({ has_active_key: false, status: 'no_key', recommendation: 'Generar una nueva API Key' });

    const key = await issueKey(s.ds, s.config, router);
    expect(await status()).toMatchObject({
      has_active_key: true,
      key_id: key.keyId,
      status: 'active',
      expires_in_days: 364,
      use_count: 0,
      warning: 'Esta API Key nunca ha sido usada',
      recommendation: 'Verificar que el cliente la esté usando correctamente',
    });

    const repo = s.ds.getRepository(RouterApiKeyEntity);
    await repo.update({ keyId: key.keyId }, { useCount: 5, expiresAt: new Date(Date.now() + 10.5 * 86_400_000) });
    expect(await status()).toMatchObject({
      status: 'active',
      expires_in_days: 10,
      warning: 'La API Key expira en 10 días',
      recommendation: 'Considerar regenerar la API Key pronto',
    });

    await repo.update(
      { keyId: key.keyId },
      { issuedAt: new Date(Date.now() - 2 * 86_400_000), expiresAt: new Date(Date.now() - 86_400_000) },
    );
    expect(await status()).toMatchObject({
      has_active_key: false,
      status: 'expired',
      warning: 'La API Key ha expirado',
      recommendation: 'Generar una nueva API Key',
    });
  });

  it("answers 404 for a key or router of another company, whatever the path's company", async () => {
    const foreign = await createRouter(s.ds, s.t.deps.secrets, s.other.id);
    const key = await issueKey(s.ds, s.config, foreign);
    for (const [method, suffix] of [
      ['POST', '/regenerate-api-key'],
      ['GET', '/api-keys'],
      ['GET', '/api-key-status'],
      ['POST', `/api-keys/${key.keyId}/revoke`],
    ] as const) {
      const response = await inject(method, `${routerUrl(foreign.id)}${suffix}`);
      expect(response.statusCode).toBe(404);
    }
    const mine = await createRouter(s.ds, s.t.deps.secrets, s.company.id);
    expect((await inject('POST', `${routerUrl(mine.id)}/api-keys/${key.keyId}/revoke`)).json()).toEqual({
      detail: 'API Key no encontrada',
    });
    expect(await s.ds.getRepository(RouterApiKeyEntity).findOneByOrFail({ keyId: key.keyId })).toMatchObject({ revoked: false });
  });
});
