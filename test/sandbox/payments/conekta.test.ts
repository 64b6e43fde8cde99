import { Configuration, WebhookKeysApi } from 'conekta';
import { startConektaSimulator, type ConektaSimulator } from '../../../sandbox/conekta/server';
import { purchaseId, token } from './helpers';

describe('Conekta simulator API', () => {
  let sim: ConektaSimulator;

  const get = async (path: string, key = 'key_test', target = sim) => {
    const res = await fetch(`${target.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { data: Array<{ id: string }>; details?: Array<{ code: string }> } };
  };
  const post = async (path: string, body: unknown, key = 'key_test', target = sim) => {
    const res = await fetch(`${target.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { details?: Array<{ code: string }> } };
  };
  const order = (cardToken: string, unitPrice: number = 2000, extra: Record<string, unknown> = {}) => ({
    currency: 'MXN',
    customer_info: { name: 'Ana', email: 'ana@example.com', phone: '+525512345678' },
    line_items: [{ name: 'Ficha', unit_price: unitPrice, quantity: 1 }],
    metadata: { purchase_id: purchaseId() },
    charges: [{ payment_method: { type: 'card', token_id: cardToken } }],
    ...extra,
  });
  /** A form POST, as a browser sends one. */
  const submit = (path: string, fields: Record<string, string>) =>
    fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
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

  describe('GET /orders, as narrow as the API reference', () => {
    // A simulator that takes any key: each key is its own account.
    let open: ConektaSimulator;
    const key = 'key_list_account';
    const made: Array<{ id: string; purchaseId: string }> = [];
    const list = (path: string, as = key) => get(path, as, open);

    beforeAll(async () => {
      open = await startConektaSimulator();
      for (let i = 0; i < 25; i++) {
        const body = order(token('approved'));
        const { body: created } = await post('/orders', body, key, open);
        made.push({ id: String(created.id), purchaseId: body.metadata.purchase_id });
      }
    });
    afterAll(() => open.close());

    it('refuses every parameter the reference does not list, and the bracket form of the date filters', async () => {
      for (const query of ['metadata.purchase_id=x', 'filters=x', 'created_at[gte]=1', 'sort=asc', 'offset=20']) {
        const { status, body } = await list(`/orders?${query}`);
        expect(status).toBe(422);
        expect(body.details?.[0].code).toMatch(/^conekta\.errors\.parameter_validation\./);
      }
      expect((await list('/orders?created_at.gte=yesterday')).status).toBe(422);
    });

    it('never matches metadata with `search` (only the order id and the customer)', async () => {
      const [{ id, purchaseId: ours }] = made;
      expect((await list(`/orders?search=${ours}`)).body.data).toEqual([]);
      expect((await list(`/orders?search=${id}`)).body.data.map((o) => o.id)).toEqual([id]);
      expect((await list('/orders?search=ana@example.com&limit=250')).body.data).toHaveLength(25);
    });

    it('pages newest first, 20 by default, 1 to 250 a page, with next and previous cursors', async () => {
      const newestFirst = [...made].reverse().map((m) => m.id);
      const first = await list('/orders');
      expect(first.body).toMatchObject({ object: 'list', has_more: true });
      expect(first.body.data.map((o) => o.id)).toEqual(newestFirst.slice(0, 20));

      const nextUrl = String(first.body.next_page_url);
      expect(nextUrl).toContain(`next=${newestFirst[19]}`);
      const second = await fetch(nextUrl, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.json() as Promise<{ has_more: boolean; data: Array<{ id: string }>; previous_page_url: string }>);
      expect(second.has_more).toBe(false);
      expect(second.data.map((o) => o.id)).toEqual(newestFirst.slice(20));
      const back = await fetch(second.previous_page_url, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.json() as Promise<{ data: Array<{ id: string }> }>);
      expect(back.data.map((o) => o.id)).toEqual(newestFirst.slice(0, 20));

      expect((await list('/orders?limit=0')).status).toBe(422);
      expect((await list('/orders?limit=251')).status).toBe(422);
      expect((await list('/orders?next=ord_unknown')).status).toBe(422);
    });

    it('filters on creation and update windows, in Unix seconds', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect((await list(`/orders?limit=250&created_at.gte=${now - 600}&created_at.lte=${now + 5}`)).body.data).toHaveLength(25);
      expect((await list(`/orders?limit=250&updated_at.gte=${now + 600}`)).body.data).toHaveLength(0);
      expect((await list(`/orders?limit=250&created_at.lte=${now - 600}`)).body.data).toHaveLength(0);
    });

    it('shows each private key only its own orders', async () => {
      expect((await list('/orders?limit=250', 'key_someone_else')).body.data).toEqual([]);
      expect((await list(`/orders/${made[0].id}`, 'key_someone_else')).status).toBe(404);
      expect((await post(`/orders/${made[0].id}/refunds`, { amount: 100, reason: 'requested_by_client' }, 'key_someone_else', open)).status).toBe(404);
    });
  });

  describe('3-D Secure page (next_action.redirect_to_url)', () => {
    const threeDs = async () => {
      const { body } = await post('/orders', order(token('3ds'), 2000, { three_ds_mode: 'smart', return_url: 'https://pagos.example/vuelta' }));
      const url = (body.next_action as { redirect_to_url: { url: string } }).redirect_to_url.url;
      return { id: String(body.id), url, path: new URL(url).pathname };
    };
    const hiddenChallenge = (html: string) => /name="challenge" value="([^"]+)"/.exec(html)?.[1];

    it('opens with a GET and completes only through its own form, then sends the customer to return_url', async () => {
      const { id, url, path } = await threeDs();
      const page = await fetch(url);
      expect(page.status).toBe(200);
      const challenge = hiddenChallenge(await page.text());
      expect(challenge).toBeDefined();

      expect((await submit(path, { outcome: 'approved' })).status).toBe(403);
      expect((await submit(path, { outcome: 'approved', challenge: 'forged' })).status).toBe(403);
      const json = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'approved', challenge }) });
      expect(json.status).toBe(415);
      expect(sim.order(id)?.payment_status).toBe('pending_payment');

      const done = await submit(path, { outcome: 'approved', challenge: challenge! });
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe('https://pagos.example/vuelta');
      expect(sim.order(id)?.payment_status).toBe('paid');
      expect((await submit(path, { outcome: 'declined', challenge: challenge! })).status).toBe(409);
      expect((await fetch(url)).status).toBe(409);
    });

    it('is gone for a cancelled order and does not exist for an unknown one', async () => {
      const { id, url } = await threeDs();
      await post(`/orders/${id}/cancel`, {});
      expect((await fetch(url)).status).toBe(409);
      expect((await fetch(`${sim.url}/__sim/3ds/ord_unknown`)).status).toBe(404);
    });
  });
});
