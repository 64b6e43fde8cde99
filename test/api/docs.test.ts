import { buildTestApp, type TestApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

interface Operation {
  security?: unknown[];
  tags?: string[];
}

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

    const doc: { openapi: string; info: { title: string }; paths: Record<string, Record<string, Operation>> } = (
      await t.app.inject({ method: 'GET', url: '/docs/json' })
    ).json();
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
});
