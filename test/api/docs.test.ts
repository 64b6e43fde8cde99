import { UNAVAILABLE_DESCRIPTION } from '../../api/plugins/openapi';
import { buildTestApp, type TestApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

interface Parameter {
  name: string;
  in: string;
  schema: unknown;
}
interface Operation {
  security?: unknown[];
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; allOf?: unknown[]; required?: string[] } }> };
  responses: Record<string, { description: string; content?: Record<string, unknown> }>;
}
type Document = { openapi: string; info: { title: string }; paths: Record<string, Record<string, Operation>> };

describe('OpenAPI document', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await buildTestApp(db, testConfig({ APP_NAME: 'Pagos Hotspot Test' }));
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('renders the UI at /docs with APP_NAME as title, and documents every public route with its auth', async () => {
    const ui = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);

    const doc: Document = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('Pagos Hotspot Test');

    const portal = [
      ['get', '/api/v1/config/public'],
      ['get', '/api/v1/catalogo_perfiles_venta'],
      ['get', '/api/v1/catalogo_perfiles_venta/{producto_id}'],
      ['post', '/api/v1/payments/pagar-conekta'],
      ['post', '/api/v1/payments/pagar-mercado-pago'],
      ['get', '/api/v1/purchases/{id}'],
      ['get', '/api/v1/payments/estado-pago/{payment_id}'],
      ['post', '/api/v1/hotspot/auto-reconnect'],
      ['post', '/api/v1/hotspot/user/profile-info'],
      ['post', '/api/v1/routers/validar-empresa-router'],
    ];
    for (const [method, route] of portal) {
      expect(doc.paths[route]?.[method]?.security).toEqual([{ RouterApiKey: [] }, { RouterApiKeyHeader: [] }]);
    }
    for (const route of ['/api/v1/webhook/mercado-pago', '/api/v1/webhook/conekta', '/api/v1/auth/login', '/health']) {
      expect(Object.keys(doc.paths)).toContain(route);
    }
    expect(doc.paths['/api/v1/catalogo_perfiles_venta/debug']).toBeUndefined(); // the original's debug dump is gone
    // the body of a purchase documents both names of each field
    const body = JSON.stringify(doc.paths['/api/v1/payments/pagar-conekta'].post);
    for (const field of ['product_id', 'producto_id', 'card_token', 'token_tarjeta', 'customer_email', 'email_cliente']) {
      expect(body).toContain(`"${field}"`);
    }
  });

  const operations = async () => {
    const doc: Document = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    return Object.entries(doc.paths).flatMap(([route, methods]) => Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${route}`, method, op })));
  };

  it('documents the answers every route may give besides its own: 400/413/415 for bodies, 414 for path parameters, 401/403, 422, 503', async () => {
    for (const { name, method, op } of await operations()) {
      const statuses = Object.keys(op.responses);
      const hasPath = name.includes('{');
      const expected = [
        ...(['post', 'put', 'patch', 'delete'].includes(method) ? ['400', '413', '415'] : []),
        ...(hasPath ? ['400', '414'] : []),
        ...(op.security ? ['401', '403'] : []),
        ...(hasPath || op.parameters?.length || op.requestBody ? ['422'] : []),
        ...(op.security || op.parameters?.length || op.requestBody ? ['503'] : []),
      ];
      expect([name, expected.filter((status) => !statuses.includes(status))]).toEqual([name, []]);
    }
    const { op: catalogItem } = (await operations()).find((o) => o.name === 'GET /api/v1/catalogo_perfiles_venta/{producto_id}')!;
    expect(catalogItem.responses['414'].description).toBe('A path parameter is too long');
    expect(catalogItem.responses['403'].description).toBe('Credentials missing, or their role may not use this route');
    expect(catalogItem.responses['503'].description).toBe(UNAVAILABLE_DESCRIPTION);
    // The health routes report the database and Temporal themselves: no 503 besides readiness's own.
    const health = (await operations()).filter((o) => ['GET /', 'GET /health', 'GET /ready'].includes(o.name));
    expect(health.map(({ name, op }) => [name, Object.keys(op.responses)])).toEqual([
      ['GET /', ['200']],
      ['GET /health', ['200']],
      ['GET /ready', ['200', '503']],
    ]);
    expect(health[2].op.responses['503'].description).not.toBe(UNAVAILABLE_DESCRIPTION);
  });

  it('declares parameters with schemas, the required fields of aliased bodies, and the bodies of webhooks and the logo upload', async () => {
    const all = await operations();
    const find = (name: string) => all.find((o) => o.name === name)!.op;
    for (const { name, op } of all) {
      for (const parameter of op.parameters ?? []) expect([name, parameter.name, typeof parameter.schema]).toEqual([name, parameter.name, 'object']);
    }
    const mercadoPago = find('POST /api/v1/webhook/mercado-pago');
    expect(mercadoPago.parameters!.map((p) => [p.in, p.name])).toEqual(['data.id', 'type', 'id', 'topic'].map((name) => ['query', name]));
    for (const parameter of mercadoPago.parameters!) expect(parameter.schema).toMatchObject({ type: 'string' });
    expect(Object.keys(mercadoPago.requestBody!.content['application/json'].schema.properties!)).toEqual(['id', 'type', 'topic', 'action', 'data']);
    expect(Object.keys(find('POST /api/v1/webhook/conekta').requestBody!.content['application/json'].schema.properties!)).toEqual(['id', 'type', 'data']);

    const conekta = find('POST /api/v1/payments/pagar-conekta').requestBody!.content['application/json'].schema;
    expect(conekta.allOf).toEqual([
      { anyOf: [{ required: ['product_id'] }, { required: ['producto_id'] }] },
      { anyOf: [{ required: ['customer_name'] }, { required: ['nombre_cliente'] }] },
      { anyOf: [{ required: ['customer_email'] }, { required: ['email_cliente'] }] },
      { anyOf: [{ required: ['card_token'] }, { required: ['token_tarjeta'] }] },
    ]);
    const mercadoPagoPurchase = find('POST /api/v1/payments/pagar-mercado-pago').requestBody!.content['application/json'].schema;
    expect(mercadoPagoPurchase.allOf).toContainEqual({ anyOf: [{ required: ['transaction_amount'] }, { required: ['monto'] }] });
    expect(mercadoPagoPurchase.allOf).toContainEqual({ required: ['payment_method_id'] });

    expect(find('POST /api/v1/admin/mi-empresa/logo').requestBody!.content).toEqual({
      'multipart/form-data': {
        schema: {
          type: 'object',
          properties: { file: { type: 'string', format: 'binary', description: 'PNG, JPEG or WEBP (checked by content), at most 1 MB' } },
          required: ['file'],
        },
      },
    });
    expect(Object.keys(find('GET /api/v1/purchases/{id}/retorno').responses['200'].content!)).toEqual(['text/html']);
  });
});
