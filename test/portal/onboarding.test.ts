import { statSync } from 'node:fs';
import { RouterOSAPI } from 'node-routeros';
import { CONFIG_FILE, configScript, portalConfig, portalSourceDir, readPortalSources } from '../../api/admin/portal-package';
import { strFromU8, unzipSync } from 'fflate';
import { ProductEntity, RouterApiKeyEntity, RouterEntity } from '../../db/entities';
import { startRouterSimulator } from '../../sandbox/routeros/simulator';
import { MENU } from '../../sandbox/routeros/state';
import { startStack, type TestStack } from '../helpers/stack';
import { createAdmin } from '../helpers/fixtures';
import { companyAdminHeaders } from './support';

/**
 * Router onboarding: setup.rsc run on the simulated router (v6.49 and v7, twice: the second run changes nothing),
 * then the service logs in as the user it created; and the portal directory's size on the router's flash.
 */

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
  await stack.db.dataSource.getRepository(ProductEntity).update({ id: stack.product.id }, { profileName: '1h-2M' });
  await stack.db.dataSource.getRepository(ProductEntity).save({ ...stack.product, id: undefined, profileName: 'plan-nuevo', name: '1 día' });
  await stack.db.dataSource.getRepository(RouterEntity).update({ id: stack.routerRow.id }, { apiUser: 'pagos' });
}, 120_000);
afterAll(() => stack?.close());

const PASSWORD = 'una-clave-larga-$1';
const setPassword = `:global pagosHotspotPassword "${PASSWORD.replace('$', '\\$')}"`;

async function script(): Promise<string> {
  const response = await stack.app.inject({
    method: 'GET',
    url: `/api/v1/admin/mi-empresa/routers/${stack.routerRow.id}/setup.rsc`,
    headers: await companyAdminHeaders(stack),
  });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-disposition']).toContain('.rsc');
  return response.body;
}

describe('setup.rsc', () => {
  it.each(['6.49.10', '7.18'])('prepares a RouterOS %s router, and a second run changes nothing', async (version) => {
    const sim = await startRouterSimulator({ version });
    try {
      const source = await script();
      expect(() => sim.runScript(source)).toThrow(/pagosHotspotPassword/); // no password given: nothing changes
      expect(sim.state.list(MENU.apiUser).map((u) => u.name)).toEqual(['admin']);

      sim.runScript(setPassword);
      const output = sim.runScript(source);
      expect(output).toContain('Pagos Hotspot: setup done.');
      const snapshot = () =>
        JSON.stringify([MENU.group, MENU.apiUser, MENU.service, MENU.serverProfile, MENU.walledGarden, MENU.walledGardenIp, MENU.profile].map((m) => sim.state.list(m)));
      const first = snapshot();
      sim.runScript(setPassword);
      sim.runScript(source);
      expect(snapshot()).toBe(first);

      const group = sim.state.list(MENU.group).find((g) => g.name === 'pagos-hotspot');
      expect(group?.policy).toBe('read,write,api');
      const user = sim.state.list(MENU.apiUser).find((u) => u.name === 'pagos');
      expect(user).toMatchObject({ group: 'pagos-hotspot', address: '127.0.0.1/32', password: PASSWORD });
      expect(sim.state.list(MENU.service).find((s) => s.name === 'api')).toMatchObject({ address: '127.0.0.1/32', disabled: 'false' });
      const walled = sim.state.list(MENU.walledGardenIp).map((w) => w['dst-host']);
      expect(walled).toEqual(expect.arrayContaining(['127.0.0.1', 'pay.conekta.com', 'api.conekta.io', 'sdk.mercadopago.com', 'api.mercadopago.com']));
      expect(new Set(walled).size).toBe(walled.length);
      expect(sim.state.list(MENU.serverProfile).find((p) => p.name === 'hsprof1')).toMatchObject({ 'login-by': 'http-chap,mac-cookie', 'html-directory': 'pagos-hotspot' });
      const profiles = sim.state.list(MENU.profile).map((p) => p.name);
      expect(profiles.filter((p) => p === '1h-2M')).toHaveLength(1);
      expect(sim.state.list(MENU.profile).find((p) => p.name === 'plan-nuevo')).toMatchObject({ 'add-mac-cookie': 'true' });
      expect(sim.runScript('{ :global pagosHotspotPassword; :put [:len $pagosHotspotPassword] }')).toEqual(['0']); // cleared

      // The service's login works with the new least-privilege user: it reads and writes hotspot users, nothing else.
      const api = new RouterOSAPI({ host: sim.host, port: sim.port, user: 'pagos', password: PASSWORD, timeout: 5 });
      await api.connect();
      try {
        await api.write('/ip/hotspot/user/add', ['=name=probe', '=password=x']);
        await expect(api.write('/user/add', ['=name=intruder', '=group=full', '=password=x'])).rejects.toThrow(/not enough permissions/);
      } finally {
        await api.close();
      }
    } finally {
      await sim.close();
    }
  });

  it('refuses to take over an existing router account, before changing anything', async () => {
    const sim = await startRouterSimulator({ users: { admin: 'admin', pagos: 'ya-existe-0123' } });
    try {
      const source = await script();
      sim.runScript(setPassword);
      expect(() => sim.runScript(source)).toThrow(/already exists in another group/);
      expect(sim.state.list(MENU.group).some((g) => g.name === 'pagos-hotspot')).toBe(false);
    } finally {
      await sim.close();
    }
  });

  it('is refused to another company’s admin, and served to the super admin for any router', async () => {
    const other = await stack.app.inject({
      method: 'GET',
      url: `/api/v1/admin/mi-empresa/routers/RTR_NOPE/setup.rsc`,
      headers: await companyAdminHeaders(stack),
    });
    expect(other.statusCode).toBe(404);
    expect(other.json().detail).toMatch(/Router no encontrado/);

    const admin = await createAdmin(stack.db.dataSource, { role: 'super_admin' });
    const login = await stack.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: admin.email, password: admin.password } });
    const superAdmin = await stack.app.inject({
      method: 'GET',
      url: `/admin/empresas/${stack.company.id}/routers/${stack.routerRow.id}/setup.rsc`,
      headers: { authorization: `Bearer ${login.json().access_token}` },
    });
    expect(superAdmin.statusCode).toBe(200);
    expect(superAdmin.body).toContain(':global pagosHotspotPassword');
  });
});

describe('portal.zip', () => {
  const url = () => `/api/v1/admin/mi-empresa/routers/${stack.routerRow.id}/portal.zip`;
  const keys = () => stack.db.dataSource.getRepository(RouterApiKeyEntity);
  const configIn = (zip: Buffer): string => strFromU8(unzipSync(zip)[`pagos-hotspot/${CONFIG_FILE}`]);

  it('carries the router’s current API key, kept encrypted when it was issued, without the admin sending it', async () => {
    const stored = await keys().findOneByOrFail({ routerId: stack.routerRow.id, revoked: false });
    expect(stored.keyEncrypted).toMatch(/^v1\./);
    expect(stored.keyEncrypted).not.toContain(stack.apiKey.slice(4, 40));
    const response = await stack.app.inject({ method: 'GET', url: url(), headers: await companyAdminHeaders(stack) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(configIn(response.rawPayload)).toContain(`"apiKey":"${stack.apiKey}"`);
  });

  it('needs the key in X-Router-Api-Key when only its hash was stored (keys issued before), and it must be this router’s', async () => {
    const stored = await keys().findOneByOrFail({ routerId: stack.routerRow.id, revoked: false });
    await keys().update({ keyId: stored.keyId }, { keyEncrypted: null });
    try {
      const headers = await companyAdminHeaders(stack);
      const missing = await stack.app.inject({ method: 'GET', url: url(), headers });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().detail).toMatch(/X-Router-Api-Key/);
      const wrong = await stack.app.inject({ method: 'GET', url: url(), headers: { ...headers, 'x-router-api-key': 'jwt_not.a.key' } });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().detail).toMatch(/no es una API Key vigente/);
      const sent = await stack.app.inject({ method: 'GET', url: url(), headers: { ...headers, 'x-router-api-key': stack.apiKey } });
      expect(sent.statusCode).toBe(200);
      expect(configIn(sent.rawPayload)).toContain(`"apiKey":"${stack.apiKey}"`);
    } finally {
      await keys().update({ keyId: stored.keyId }, { keyEncrypted: stored.keyEncrypted });
    }
  });

  it('answers 409 when the router has no current key', async () => {
    const stored = await keys().findOneByOrFail({ routerId: stack.routerRow.id, revoked: false });
    await keys().update({ keyId: stored.keyId }, { revoked: true, revokedAt: new Date() });
    try {
      const response = await stack.app.inject({ method: 'GET', url: url(), headers: await companyAdminHeaders(stack) });
      expect(response.statusCode).toBe(409);
      expect(response.json().detail).toMatch(/regénerela/);
    } finally {
      await keys().update({ keyId: stored.keyId }, { revoked: false, revokedAt: null });
    }
  });
});

describe('portal directory', () => {
  it('fits a router’s flash: at most 150 KB with its config.js (gateway scripts load from the gateways)', () => {
    const files = readPortalSources();
    const config = configScript(portalConfig(stack.config, stack.routerRow, stack.apiKey, 'conekta'));
    const total = [...files.values()].reduce((sum, content) => sum + content.length, 0) + Buffer.byteLength(config);
    expect(files.has(CONFIG_FILE)).toBe(false); // generated per router, never shipped in portal/
    for (const page of ['login.html', 'alogin.html', 'status.html', 'logout.html', 'error.html', 'redirect.html', 'rlogin.html', 'md5.js']) {
      expect(statSync(`${portalSourceDir()}/${page}`).isFile()).toBe(true);
    }
    expect(total).toBeLessThanOrEqual(150 * 1024);
  });
});

