import { randomUUID } from 'node:crypto';
import { PurchaseEntity } from '../../../db/entities';
import type { PurchaseOutcome } from '../../../domain/temporal';
import { SecretBox } from '../../../shared/secrets';
import { testConfig } from '../../helpers/config';
import { createProduct } from '../../helpers/fixtures';
import { setupPortalTest, type PortalTest } from './support';

const EXPIRES_AT = '2030-01-01T01:00:00.000Z';
const ACTIVE: PurchaseOutcome = {
  status: 'active',
  autoConnect: { requested: false, connected: false },
  activated: { expiresAt: EXPIRES_AT, gatewayReference: 'ord_1', gatewayStatus: 'paid', gatewayDetail: {} },
};

/**
 * The API writes the hotspot credentials with the purchase row, and answers an approved purchase it wrote from that
 * row and the workflow's outcome; whenever the outcome cannot vouch for the row, it reads the row. No worker runs
 * here: the row stays `created`, so an answer read from it is a 202.
 */
describe('purchase request: the answer without reading the row back', () => {
  let s: PortalTest;
  let productId: number;
  const secrets = new SecretBox(testConfig().SECRET_KEY);
  beforeAll(async () => {
    s = await setupPortalTest({ CONEKTA_DEFAULT_PRIVATE_KEY: 'key_default' });
    productId = (await createProduct(s.db.dataSource, s.router)).id;
  });
  afterAll(() => s.close());
  beforeEach(() => s.workflows.reset());

  const buy = (userType: 'usuario_contrasena' | 'pin', idempotencyKey = `key-${randomUUID()}`) =>
    s.t.app.inject({
      method: 'POST',
      url: '/api/v1/payments/pagar-conekta',
      headers: { authorization: `Bearer ${s.key}`, 'idempotency-key': idempotencyKey },
      payload: { producto_id: productId, token_tarjeta: 'tok_test_approved_1', nombre_cliente: 'Ana', email_cliente: 'ana@example.com', tipo_usuario: userType },
    });
  const row = (id: string) => s.db.dataSource.getRepository(PurchaseEntity).findOneByOrFail({ id });

  it.each([
    ['usuario_contrasena', /^PT-[A-Z0-9]{5}$/, /^\d{4}$/],
    ['pin', /^PT-\d{5}$/, /^$/],
  ] as const)('writes %s credentials with the row and answers an active outcome with them', async (userType, username, password) => {
    s.workflows.results.startPurchase = { kind: 'outcome', outcome: ACTIVE };
    const response = await buy(userType);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    const written = await row(body.id_compra);
    // Still `created`: the answer came from what the API wrote and the outcome, not from the row.
    expect(written.status).toBe('created');
    expect(body.usuario_hotspot).toEqual({ usuario: expect.stringMatching(username), contrasena: expect.stringMatching(password) });
    expect(body.usuario_hotspot).toEqual({ usuario: written.hotspotUsername, contrasena: secrets.decryptOptional(written.hotspotPasswordEncrypted) ?? '' });
    expect(body).toMatchObject({ id_transaccion: 'ord_1', estado_pago: 'paid', expira_en: EXPIRES_AT, tiempo_sumado: false, tipo_usuario: userType });
  });

  it.each([
    ['the reservation replaced the credentials', { ...ACTIVE, credentialsReplaced: true }],
    ['the time was stacked onto a running purchase', { status: 'active', stacked: true }],
    ['a worker whose outcome carries no columns', { status: 'active', autoConnect: ACTIVE.autoConnect }],
    ['still pending', { status: 'pending' }],
  ] as [string, PurchaseOutcome][])('reads the row when %s', async (_case, outcome) => {
    s.workflows.results.startPurchase = { kind: 'outcome', outcome };
    const response = await buy('usuario_contrasena');
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ estado: 'created' });
  });

  it('reads the row for a repeated submit that joins the attempt', async () => {
    s.workflows.results.startPurchase = { kind: 'outcome', outcome: ACTIVE };
    const key = `key-${randomUUID()}`;
    expect((await buy('usuario_contrasena', key)).statusCode).toBe(200);
    const again = await buy('usuario_contrasena', key);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ estado: 'created' });
  });
});
