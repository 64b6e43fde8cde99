/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { MENU } from '../../sandbox/routeros/state';
import type { HotspotHttp } from '../../sandbox/routeros/hotspot-http';
import { TEST_CARDS } from '../../sandbox/lib/test-cards';
import { launchBrowser, phone, screenshot } from '../helpers/browser';
import { eventually, startStack, type TestStack } from '../helpers/stack';
import { companyAdminHeaders, downloadPortal, newDevice, startHotspot } from './support';

/**
 * The captive portal in a real browser (headless Chromium at phone size) against the whole test stack: the portal as
 * portal.zip delivers it, served by the simulated router's hotspot, paying through the simulated gateways' browser
 * tokenizers. Each test is one device (its own browser context, MAC and IP).
 */

let stack: TestStack;
let hotspot: HotspotHttp;
let mpHotspot: HotspotHttp;
let browser: Browser;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  hotspot = await startHotspot(stack, await downloadPortal(stack, 'conekta'));
  mpHotspot = await startHotspot(stack, await downloadPortal(stack, 'mercado_pago'));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hotspot?.close();
  await mpHotspot?.close();
  await stack?.close();
});

const session = (mac: string) => stack.router.state.list(MENU.active).find((s) => s['mac-address'] === mac);

/** Opens the store (Conekta's unless told) for a new device and chooses the plan. */
async function openStore(store = hotspot): Promise<{ page: Page; device: { mac: string; ip: string } }> {
  const device = newDevice(stack);
  const page = await (await phone(browser)).newPage();
  await page.goto(store.deviceUrl(device.mac));
  await page.getByRole('radio', { name: /1 hora/ }).check();
  return { page, device };
}

/** Fills the customer and (inside Conekta's iframe) the card, then pays. */
async function payWithConekta(page: Page, card: string, shot?: string): Promise<void> {
  await page.getByLabel('Nombre', { exact: true }).fill('Ana Cliente');
  await page.getByLabel('Correo electrónico').fill('ana@example.com');
  const frame = page.frameLocator('#conekta-tarjeta iframe');
  await frame.getByLabel('Número de tarjeta').fill(card);
  await frame.getByLabel('Nombre del titular').fill('ANA CLIENTE');
  await frame.getByLabel('Vencimiento (MM/AA)').fill('12/39');
  await frame.getByLabel('CVC').fill('123');
  if (shot) await screenshot(page, shot);
  await page.getByRole('button', { name: 'Pagar' }).click();
}

/** Fills the customer and (in Mercado Pago's card form, one iframe per field) the card, then pays. */
async function payWithMercadoPago(page: Page, card: string, shot?: string): Promise<void> {
  await page.getByLabel('Nombre', { exact: true }).fill('Beto Cliente');
  await page.getByLabel('Correo electrónico').fill('beto@example.com');
  await page.getByLabel('Titular de la tarjeta').fill('BETO CLIENTE');
  await page.frameLocator('#mp-numero iframe').getByLabel('Número de tarjeta').fill(card);
  await page.frameLocator('#mp-vence iframe').getByLabel('Vencimiento').fill('12/39');
  await page.frameLocator('#mp-cvv iframe').getByLabel('Código de seguridad').fill('123');
  if (shot) await screenshot(page, shot);
  await page.getByRole('button', { name: 'Pagar' }).click();
}

describe('captive portal in Chromium', () => {
  it('sells a plan: approved card → credentials on screen, and the router shows the device logged in', async () => {
    const { page, device } = await openStore();
    await page.getByRole('heading', { name: 'Elija su plan' }).waitFor();
    expect(await page.locator('#empresa').textContent()).toBe('Café Internet');
    // Phone-sized: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, '1-tienda');
    await payWithConekta(page, TEST_CARDS.approved, '2-pago');
    await page.getByRole('heading', { name: '¡Pago aprobado!' }).waitFor();
    const username = await page.locator('#c-usuario').textContent();
    expect(username).toMatch(/\S/);
    await screenshot(page, '3-aprobado');
    await page.getByRole('heading', { name: '¡Ya tiene Internet!' }).waitFor();
    await screenshot(page, '4-conectado');
    expect(session(device.mac)?.user).toBe(username);
  });

  it('declined card: the bank’s message, the form kept, and no hotspot user left behind', async () => {
    const usersBefore = stack.router.state.list(MENU.user).length;
    const { page, device } = await openStore();
    await payWithConekta(page, TEST_CARDS.declined);
    const error = page.locator('#error-pago');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toMatch(/rechaz|declin|banco|tarjeta/i);
    expect(await page.getByLabel('Correo electrónico').inputValue()).toBe('ana@example.com');
    await screenshot(page, '5-rechazada');
    await eventually(() => stack.router.state.list(MENU.user).length === usersBefore, 10_000, 'the reserved user to be removed');
    expect(session(device.mac)).toBeUndefined();
  });

  it('3-D Secure (Conekta): the bank’s challenge in the portal, then active and logged in', async () => {
    const { page, device } = await openStore();
    await payWithConekta(page, TEST_CARDS['3ds']);
    await page.getByRole('heading', { name: 'Verificación de su banco' }).waitFor();
    await screenshot(page, '6-3ds');
    await page.frameLocator('#desafio-marco').getByRole('button', { name: 'Autorizar' }).click();
    await page.getByRole('heading', { name: '¡Ya tiene Internet!' }).waitFor({ timeout: 30_000 });
    await eventually(() => session(device.mac), 10_000, 'the session');
  });

  it('pending payment: a waiting screen, then active and logged in once the bank confirms', async () => {
    const { page, device } = await openStore();
    await payWithConekta(page, TEST_CARDS.pending_approve);
    await page.getByRole('heading', { name: 'Confirmando su pago' }).waitFor();
    await screenshot(page, '7-esperando');
    const charge = await eventually(() => stack.conekta.charges().find((c) => c.status === 'pending_payment' && c.scenario === 'pending_approve'));
    stack.conekta.settle(charge.id, 'approved');
    await page.getByRole('heading', { name: '¡Ya tiene Internet!' }).waitFor({ timeout: 30_000 });
    await eventually(() => session(device.mac), 10_000, 'the session');
  });

  it('returning device: "Ya compré" with the credentials logs it in again; the status page shows the time left', async () => {
    const { page, device } = await openStore();
    await payWithConekta(page, TEST_CARDS.approved);
    await page.getByRole('heading', { name: '¡Ya tiene Internet!' }).waitFor();
    const username = session(device.mac)!.user;
    const password = await page.evaluate(() => JSON.parse(localStorage.getItem('pagos-hotspot:acceso')!).contrasena as string);

    await page.goto(hotspot.deviceUrl(device.mac, 'status'));
    await page.getByRole('heading', { name: 'Está conectado' }).waitFor();
    await page.locator('#e-plan').filter({ hasText: '1 hora' }).waitFor();
    expect(await page.locator('#e-restante').textContent()).toMatch(/^(59|60) minutos?/);
    await screenshot(page, '8-estado');
    const buyMore = await page.getByRole('link', { name: 'Comprar más tiempo' }).getAttribute('href');
    expect(buyMore).toContain(`mac=${encodeURIComponent(device.mac)}`);
    expect(buyMore).toContain(`usuario=${encodeURIComponent(username)}`);

    // The session ends (the phone left); another browser, without the saved access, comes back.
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await page.getByRole('heading', { name: 'Sesión cerrada' }).waitFor();
    expect(session(device.mac)).toBeUndefined();
    const again = await (await phone(browser)).newPage();
    await again.goto(hotspot.deviceUrl(device.mac));
    await again.getByRole('button', { name: 'Ya compré' }).click();
    await again.getByLabel('Usuario o PIN').fill(username);
    await again.getByLabel(/^Contraseña \(vacía/).fill(password);
    await again.getByRole('button', { name: 'Conectarme' }).click();
    await again.getByRole('heading', { name: '¡Ya tiene Internet!' }).waitFor();
    expect(session(device.mac)?.user).toBe(username);
  });

  it('buying more from the status page stacks time without a new login', async () => {
    const { page, device } = await openStore();
    await payWithConekta(page, TEST_CARDS.approved);
    await page.getByRole('heading', { name: '¡Ya tiene Internet!' }).waitFor();
    const loggedIn = session(device.mac)!;
    const usersBefore = stack.router.state.list(MENU.user).length;

    await page.goto(hotspot.deviceUrl(device.mac, 'status'));
    await page.locator('#e-plan').filter({ hasText: '1 hora' }).waitFor();
    await page.getByRole('link', { name: 'Comprar más tiempo' }).click();
    await page.getByRole('radio', { name: /1 hora/ }).check();
    await payWithConekta(page, TEST_CARDS.approved);
    await page.getByRole('heading', { name: '¡Tiempo agregado!' }).waitFor();
    expect(await page.locator('#s-mensaje').textContent()).toMatch(/Se agregó el tiempo a su conexión actual/);
    expect(await page.locator('#c-usuario').isVisible()).toBe(false);
    await screenshot(page, '13-tiempo-agregado');
    // Still the same session of the same user, and no user added for the second purchase.
    expect(session(device.mac)).toMatchObject({ '.id': loggedIn['.id'], user: loggedIn.user });
    await eventually(() => stack.router.state.list(MENU.user).length === usersBefore, 10_000, 'the reserved user to be removed');

    await page.getByRole('link', { name: 'Ver mi tiempo restante' }).click();
    await page.getByRole('heading', { name: 'Está conectado' }).waitFor();
    await page.locator('#e-restante').filter({ hasText: /^(1 hora 59|2 horas)/ }).waitFor();
  });

  it('logs in through the hotspot’s own form with http-chap (the fallback when the API cannot)', async () => {
    const device = newDevice(stack);
    stack.router.state.add(MENU.user, { name: 'chap-user', password: 'clave-ñ-42' });
    const page = await (await phone(browser)).newPage();
    await page.goto(hotspot.deviceUrl(device.mac));
    await page.evaluate(() => (window as unknown as { Portal: { hotspotLogin(u: string, p: string): boolean } }).Portal.hotspotLogin('chap-user', 'clave-ñ-42'));
    await page.getByRole('heading', { name: '¡Ya tiene Internet!' }).waitFor();
    expect(session(device.mac)?.user).toBe('chap-user');
  });

  it('sells with Mercado Pago’s card form too', async () => {
    const { page, device } = await openStore(mpHotspot);
    await payWithMercadoPago(page, TEST_CARDS.approved, '9-mercado-pago');
    await page.getByRole('heading', { name: '¡Ya tiene Internet!' }).waitFor();
    expect(session(device.mac)).toBeDefined();
    expect(stack.mercadoPago.charges().some((c) => c.status === 'approved')).toBe(true);
  });

  it('3-D Secure (Mercado Pago): the issuer’s challenge posted into the portal’s frame, then active and logged in', async () => {
    const { page, device } = await openStore(mpHotspot);
    const challengePosts: string[] = [];
    const returns: string[] = [];
    page.on('request', (request) => {
      if (request.frame().name() === 'desafio-marco' && request.isNavigationRequest()) challengePosts.push(request.method());
      if (/\/api\/v1\/purchases\/[^/]+\/retorno$/.test(request.url())) returns.push(request.method());
    });
    await payWithMercadoPago(page, TEST_CARDS['3ds']);
    await page.getByRole('heading', { name: 'Verificación de su banco' }).waitFor();
    const challenge = page.frameLocator('#desafio-marco');
    await challenge.getByRole('button', { name: 'Autorizar' }).waitFor();
    // The issuer's page opens only by a form POST of the creq (a GET gets 405).
    expect(challengePosts[0]).toBe('POST');
    // Nor is there a "full screen" link to it: a link would be a GET.
    expect(await page.getByText('al terminar vuelva a este portal').isVisible()).toBe(false);
    await screenshot(page, '10-3ds-mercado-pago');
    await challenge.getByRole('button', { name: 'Autorizar' }).click();
    await challenge.getByRole('heading', { name: 'Verificación terminada' }).waitFor();
    await page.getByRole('heading', { name: '¡Ya tiene Internet!' }).waitFor({ timeout: 30_000 });
    await eventually(() => session(device.mac), 10_000, 'the session');
    // The page's "challenge over" message made the portal nudge the purchase, once.
    expect(returns).toEqual(['GET']);
  });

  /** A new voucher for the portal's router and plan, as its CSV export gives it. */
  async function newVoucher(formato: 'pin' | 'usuario_contrasena'): Promise<{ code: string; password?: string }> {
    const headers = await companyAdminHeaders(stack);
    const batch = await stack.app.inject({ method: 'POST', url: '/api/v1/admin/vouchers/batches', headers, payload: { producto_id: stack.product.id, cantidad: 1, formato } });
    expect(batch.statusCode).toBe(201);
    const csv = await stack.app.inject({ method: 'GET', url: `/api/v1/admin/vouchers/batches/${batch.json().id}/export.csv`, headers });
    const [header, row] = csv.body.trim().split('\r\n').map((line) => line.split(','));
    return { code: row[1], password: row[header.indexOf('contrasena')] };
  }

  it('redeems a voucher from its QR code (?ficha=): logged in; the same code again is refused and the form kept', async () => {
    const { code } = await newVoucher('pin');
    const device = newDevice(stack);
    const page = await (await phone(browser)).newPage();
    await page.goto(`${hotspot.deviceUrl(device.mac)}?ficha=${code}`);
    await page.getByRole('heading', { name: 'Tengo una ficha' }).waitFor();
    expect(await page.getByLabel('Código de la ficha').inputValue()).toBe(code);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, '11-ficha');
    await page.getByRole('button', { name: 'Canjear ficha' }).click();
    await page.getByRole('heading', { name: '¡Pago aprobado!' }).waitFor();
    const username = await page.locator('#c-usuario').textContent();
    await page.getByRole('heading', { name: '¡Ya tiene Internet!' }).waitFor();
    expect(session(device.mac)?.user).toBe(username);

    const other = newDevice(stack);
    const again = await (await phone(browser)).newPage();
    await again.goto(hotspot.deviceUrl(other.mac));
    await again.getByRole('button', { name: 'Tengo una ficha' }).click();
    await again.getByLabel('Código de la ficha').fill(code);
    await again.getByRole('button', { name: 'Canjear ficha' }).click();
    const error = again.locator('#error-ficha');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toBe('Esta ficha ya fue canjeada.');
    expect(await again.getByLabel('Código de la ficha').inputValue()).toBe(code);
    await screenshot(again, '12-ficha-canjeada');
    expect(session(other.mac)).toBeUndefined();
  });

  it('redeems a username+password voucher: its QR code (?ficha=&clave=) fills both in', async () => {
    const { code, password } = await newVoucher('usuario_contrasena');
    expect(password).toMatch(/\S/);
    const device = newDevice(stack);
    const page = await (await phone(browser)).newPage();
    await page.goto(`${hotspot.deviceUrl(device.mac)}?ficha=${encodeURIComponent(code)}&clave=${encodeURIComponent(password!)}`);
    expect(await page.locator('#f-clave').inputValue()).toBe(password);
    // A wrong or missing password would be refused (404): being approved shows the page sent the right one.
    await page.getByRole('button', { name: 'Canjear ficha' }).click();
    await page.getByRole('heading', { name: '¡Pago aprobado!' }).waitFor();
    const username = await page.locator('#c-usuario').textContent();
    await page.getByRole('heading', { name: '¡Ya tiene Internet!' }).waitFor();
    expect(session(device.mac)?.user).toBe(username);
  });
});
