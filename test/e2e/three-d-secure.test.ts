import { buy, purchase, waitForStatus } from '../helpers/purchases';
import { startStack, type TestStack } from '../helpers/stack';

/**
 * 3-D Secure as a customer's browser goes through it, against simulators that refuse what the gateways refuse:
 * Conekta's page is opened (GET) and completes only through its own form; Mercado Pago's challenge opens only by a form
 * POST of the `creq` it issued, never by a GET.
 */
describe('3-D Secure through the bank\'s pages', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack({ config: { PAYMENT_STATUS_POLL_SECONDS: '1' } });
  }, 60_000);
  afterAll(() => s?.close());

  /** A form POST, as a browser submits one. */
  const submit = (url: string, fields: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields), redirect: 'manual' });
  /** The bank page's form: where it posts and its hidden fields. */
  function form(html: string, pageUrl: string): { action: string; hidden: Record<string, string> } {
    const action = new URL(/<form[^>]*action="([^"]+)"/.exec(html)![1], pageUrl).toString();
    const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]+)"/g)].map((m) => [m[1], m[2]]));
    return { action, hidden };
  }

  it('Conekta: the page at redirect_url, its form, then back to our return page → active', async () => {
    const body = (await buy(s, 'conekta', { scenario: '3ds' })).json();
    expect(body).toMatchObject({ estado: 'pending', requiere_accion: true, desafio_3ds: { url: body.redirect_url, creq: null } });
    const page = await fetch(body.redirect_url);
    expect(page.status).toBe(200);
    const { action, hidden } = form(await page.text(), body.redirect_url);

    const done = await submit(action, { ...hidden, outcome: 'approved' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${s.baseUrl}/api/v1/purchases/${body.id_compra}/retorno`);
    expect((await fetch(done.headers.get('location')!)).status).toBe(200);
    await waitForStatus(s, body.id_compra, 'active');
  });

  it('Mercado Pago: refused on a GET; completed by a form POST of creq and the bank\'s form → active', async () => {
    const body = (await buy(s, 'mercado_pago', { scenario: '3ds' })).json();
    expect(body).toMatchObject({ estado: 'pending', requiere_accion: true });
    // The purchase's answer and its status give the portal what opens the challenge: the page, and the creq to POST.
    const row = await purchase(s, body.id_compra);
    const { url, creq } = body.desafio_3ds as { url: string; creq: string };
    expect({ url, creq }).toEqual({ url: row.nextActionUrl, creq: row.gatewayDetail.creq });
    expect(body.redirect_url).toBe(url);
    const status = await s.app.inject({ method: 'GET', url: `/api/v1/purchases/${body.id_compra}`, headers: { 'x-api-key': s.apiKey } });
    expect(status.json()).toMatchObject({ estado: 'pending', siguiente_accion: 'redirigir', desafio_3ds: { url, creq } });

    expect((await fetch(url)).status).toBe(405);
    expect((await submit(url, { creq: 'not-the-one' })).status).toBe(400);
    const page = await submit(url, { creq });
    expect(page.status).toBe(200);
    const { action, hidden } = form(await page.text(), url);
    expect((await submit(action, { ...hidden, outcome: 'approved' })).status).toBe(200);
    await waitForStatus(s, body.id_compra, 'active');
  });
});
