import { randomUUID } from 'node:crypto';
import { setupAdminTest, type AdminTest } from './support';

interface Operation {
  tags?: string[];
  security?: Record<string, string[]>[];
  summary?: string;
}

/** Every admin operation of the OpenAPI document, with its path made concrete. */
async function adminOperations(s: AdminTest) {
  const doc: { paths: Record<string, Record<string, Operation>> } = (await s.t.app.inject({ method: 'GET', url: '/docs/json' })).json();
  const operations: { method: string; path: string; url: string; op: Operation }[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!/^\/(admin|api\/v1\/admin)\//.test(path) && path !== '/api/v1/payments/configurar-credenciales') continue;
    for (const [method, op] of Object.entries(methods)) {
      const url = path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        name === 'compra_id' ? randomUUID() : /usuario_id|producto_id/.test(name) ? '1' : 'X',
      );
      operations.push({ method: method.toUpperCase(), path, url, op });
    }
  }
  return operations;
}

describe('admin API: roles and documentation', () => {
  let s: AdminTest;
  beforeAll(async () => {
    s = await setupAdminTest();
  });
  afterAll(() => s.close());

  it('documents every admin route with its tag, summary and the session security scheme', async () => {
    const operations = await adminOperations(s);
    expect(operations.length).toBeGreaterThanOrEqual(50);
    for (const { method, path, op } of operations) {
      expect({
        route: `${method} ${path}`,
        security: op.security,
        tagged: (op.tags ?? []).length > 0,
        summary: Boolean(op.summary),
      }).toEqual({
        route: `${method} ${path}`,
        security: [{ AdminSession: [] }],
        tagged: true,
        summary: true,
      });
    }
  });

  it("refuses every route to a caller without a session, before reading the body (403, the original's answer)", async () => {
    for (const { method, url } of await adminOperations(s)) {
      const response = await s.t.app.inject({ method: method as 'GET', url, payload: method === 'GET' ? undefined : { junk: true } });
      expect({ route: `${method} ${url}`, status: response.statusCode, body: response.json() }).toEqual({
        route: `${method} ${url}`,
        status: 403,
        body: { detail: 'Not authenticated' },
      });
    }
  });

  it('keeps the roles apart as the original: a super admin cannot use /api/v1/admin/*, a company admin cannot use /admin/*', async () => {
    for (const { method, url } of await adminOperations(s)) {
      const superAdminRoute = url.startsWith('/admin/');
      const headers = superAdminRoute ? s.companyAdmin.headers : s.superAdmin.headers;
      const response = await s.t.app.inject({ method: method as 'GET', url, headers, payload: method === 'GET' ? undefined : {} });
      expect({ route: `${method} ${url}`, status: response.statusCode, body: response.json() }).toEqual({
        route: `${method} ${url}`,
        status: 403,
        body: { detail: superAdminRoute ? 'Se requiere rol SUPER_ADMIN' : 'Se requiere rol CLIENTE_ADMIN' },
      });
    }
  });

  it('rejects a malformed token with 401 and never leaks internals on errors', async () => {
    const response = await s.t.app.inject({ method: 'GET', url: '/admin/empresas', headers: { authorization: 'Bearer not-a-jwt' } });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ detail: 'Token inválido' });
    const broken = await s.t.app.inject({
      method: 'POST',
      url: '/admin/empresas',
      headers: { ...s.superAdmin.headers, 'content-type': 'application/json' },
      payload: '{"nombre": ',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.body).not.toMatch(/at |SyntaxError|position/);
  });
});
