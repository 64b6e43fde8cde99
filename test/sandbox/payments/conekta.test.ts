import { Configuration, WebhookKeysApi } from 'conekta';
import { startConektaSimulator, type ConektaSimulator } from '../../../sandbox/conekta/server';
import { purchaseId, token } from './helpers';

describe('Conekta simulator API', () => {
  let sim: ConektaSimulator;

  const post = async (path: string, body: unknown, key = 'key_test') => {
    const res = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { details?: Array<{ code: string }> } };
  };
  const order = (cardToken: string, unitPrice: number = 2000) => ({
    currency: 'MXN',
    customer_info: { name: 'Ana', email: 'ana@example.com', phone: '+525512345678' },
    line_items: [{ name: 'Ficha', unit_price: unitPrice, quantity: 1 }],
    metadata: { purchase_id: purchaseId() },
    charges: [{ payment_method: { type: 'card', token_id: cardToken } }],
  });

  beforeAll(async () => {
    sim = await startConektaSimulator({ privateKey: 'key_test' });
  });

  afterAll(() => sim.close());

  it('returns the webhook public key to the real SDK (POST /webhook_keys)', async () => {
    const api = new WebhookKeysApi(new Configuration({ accessToken: 'key_test', basePath: sim.url }));
    const { data } = await api.createWebhookKey('es', { active: true });
    expect(data).toMatchObject({ object: 'webhook_key', active: true, public_key: sim.publicKeyPem });
    expect(sim.publicKeyPem).toContain('BEGIN PUBLIC KEY');
  });

  it('accepts a card token once', async () => {
    const cardToken = token('approved');
    expect((await post('/orders', order(cardToken))).status).toBe(200);
    const again = await post('/orders', order(cardToken));
    expect(again.status).toBe(402);
    expect(again.body.details?.[0].code).toBe('conekta.errors.processing.tokenization.used');
  });

  it('rejects tokens it never issued, fractional cents and unknown keys', async () => {
    expect((await post('/orders', order('tok_live_whatever'))).body.details?.[0].code).toBe('conekta.errors.processing.tokenization.invalid');
    expect((await post('/orders', order(token('approved'), 1998.99))).status).toBe(422);
    expect((await post('/orders', order(token('approved')), 'key_other')).status).toBe(401);
  });

  it('answers a decline with 402 and the declined order in `data`', async () => {
    const { status, body } = await post('/orders', order(token('insufficient_funds')));
    expect(status).toBe(402);
    expect(body).toMatchObject({
      object: 'error',
      type: 'processing_error',
      data: { object: 'order', payment_status: 'declined' },
    });
  });

  it('refuses refunds beyond the amount and on unpaid orders', async () => {
    const paid = await post('/orders', order(token('approved')));
    expect((await post(`/orders/${String(paid.body.id)}/refunds`, { amount: 2001, reason: 'requested_by_client' })).status).toBe(422);
    const pending = await post('/orders', order(token('pending_approve')));
    expect((await post(`/orders/${String(pending.body.id)}/refunds`, { amount: 100, reason: 'requested_by_client' })).status).toBe(428);
  });
});
