import { inflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { redeemUrl } from '../../api/admin/voucher-sheet';
import { AuditLogEntity, PurchaseEntity, VoucherBatchEntity, VoucherEntity } from '../../db/entities';
import { createAdmin, createCompany, createProduct, createRouter, issueKey } from '../helpers/fixtures';
import { pdfPageTexts } from '../helpers/pdf-text';
import { purchase, routerUser, statusTrail, waitForStatus } from '../helpers/purchases';
import { adminSession, startStack, type TestStack } from '../helpers/stack';

/** The dark modules of a QR code, row by row, as `qrcode` encodes `content` (the sheet fixes the mask). */
function qrMatrix(content: string): string[] {
  const { modules } = QRCode.create(content, { errorCorrectionLevel: 'M', maskPattern: 0 });
  return Array.from({ length: modules.size }, (_, row) => Array.from({ length: modules.size }, (_, col) => (modules.get(row, col) ? '#' : '.')).join(''));
}

/** The QR codes drawn in a PDF, in order: the rectangles of each `q … cm … re … f Q` block of the page contents. */
function qrMatrices(pdf: Buffer): string[][] {
  const text = pdf.toString('latin1');
  const contents = [...text.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)]
    .map((m) => {
      try {
        return inflateSync(Buffer.from(m[1], 'latin1')).toString('latin1');
      } catch {
        return '';
      }
    })
    .join('\n');
  return [...contents.matchAll(/q 0 g [\d.]+ 0 0 [\d.]+ [\d.]+ [\d.]+ cm\n([\s\S]*?)\nf Q/g)].map((block) => {
    const runs = block[1].split('\n').map((line) => line.split(' ').slice(0, 3).map(Number));
    const size = Math.max(...runs.map(([start, , width]) => start + width));
    const rows = Array.from({ length: size }, () => Array<string>(size).fill('.'));
    for (const [start, row, width] of runs) for (let col = start; col < start + width; col++) rows[row][col] = '#';
    return rows.map((row) => row.join(''));
  });
}

/**
 * Vouchers against the whole stack: batches and their sheet, redemption through the purchase workflow on the simulated
 * router (auto-connect, expiry), one access per code however many requests race, and revocation of a batch whose
 * vouchers are in use.
 */
describe('vouchers', () => {
  let s: TestStack;
  let auth: { authorization: string };
  let longProductId: number;
  beforeAll(async () => {
    s = await startStack({ product: { validitySeconds: 4, profileName: 'default' } });
    auth = await adminSession(s, await createAdmin(s.db.dataSource, { role: 'cliente_admin', companyId: s.company.id }));
    longProductId = (await createProduct(s.db.dataSource, s.routerRow, { profileName: 'default', validitySeconds: 3600, name: 'Una hora' })).id;
  }, 60_000);
  afterAll(() => s?.close());

  const admin = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => s.app.inject({ method, url, headers: auth, payload });
  const createBatch = async (payload: Record<string, unknown>) => {
    const response = await admin('POST', '/api/v1/admin/vouchers/batches', payload);
    expect(response.statusCode).toBe(201);
    return response.json<{ id: number; cantidad: number }>();
  };
  /** The batch's codes, from its CSV (the one place besides the sheet that shows them). */
  const codesOf = async (batchId: number) => {
    const csv = await admin('GET', `/api/v1/admin/vouchers/batches/${batchId}/export.csv`);
    expect(csv.statusCode).toBe(200);
    return csv.body
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[1]);
  };
  const redeem = (codigo: string, extra: Record<string, unknown> = {}, apiKey = s.apiKey) =>
    s.app.inject({ method: 'POST', url: '/api/v1/vouchers/canjear', headers: { authorization: `Bearer ${apiKey}` }, payload: { codigo, ...extra } });
  const voucherStatuses = async (batchId: number) =>
    (await admin('GET', `/api/v1/admin/vouchers/batches/${batchId}/vouchers?limit=100`)).json<{ items: { serie: number; estado: string; compra_id: string | null }[] }>().items;

  it('creates a batch of 100 unique codes, stored only encrypted, printed on a sheet a PDF reader parses', async () => {
    const batch = await createBatch({ producto_id: s.product.id, cantidad: 100, precio: 15, nota: 'Mostrador' });
    expect(batch).toMatchObject({ cantidad: 100, formato: 'pin', longitud: 12, precio: 15, estados: { unused: 100, active: 0 } });
    const codes = await codesOf(batch.id);
    expect(codes).toHaveLength(100);
    expect(new Set(codes).size).toBe(100);
    for (const code of codes) expect(code).toMatch(/^\d{12}$/);

    const stored = await s.db.dataSource.getRepository(VoucherEntity).findBy({ batchId: batch.id });
    expect(stored).toHaveLength(100);
    const columns = JSON.stringify(stored);
    for (const code of codes) expect(columns).not.toContain(code);
    expect(stored.every((v) => v.codeEncrypted.startsWith('v1.') && /^[0-9a-f]{64}$/.test(v.codeHash))).toBe(true);

    const pdf = await admin('GET', `/api/v1/admin/vouchers/batches/${batch.id}/sheet.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const pages = await pdfPageTexts(pdf.rawPayload);
    expect(pages).toHaveLength(7); // 15 cards a page
    const printed = pages.join('\n').replace(/(\d{4})-(?=\d)/g, '$1');
    for (const code of codes) expect(printed).toContain(code);
    expect(printed.match(/\d{12}/g)).toHaveLength(100);
    expect(printed).toContain('$15.00 MXN');
    // Each card's QR code is exactly the QR code of the login page with its code filled in.
    const drawn = qrMatrices(pdf.rawPayload);
    expect(drawn).toHaveLength(100);
    drawn.forEach((matrix, i) => expect(matrix).toEqual(qrMatrix(redeemUrl('http://10.5.50.1/login', { code: codes[i] }))));

    const html = await admin('GET', `/api/v1/admin/vouchers/batches/${batch.id}/sheet.html`);
    expect(html.statusCode).toBe(200);
    expect(html.body.match(/class="ficha"/g)).toHaveLength(100);
    expect(html.body.match(/<svg/g)).toHaveLength(100);

    const list = await admin('GET', `/api/v1/admin/vouchers/batches/${batch.id}/vouchers`);
    expect(list.json().total).toBe(100);
    for (const code of codes.slice(0, 5)) expect(list.body).not.toContain(code);
    const audit = await s.db.dataSource.getRepository(AuditLogEntity).findBy({ action: 'voucher.batch_created', targetId: String(batch.id) });
    expect(audit).toHaveLength(1);
  });

  it('redeems through the purchase workflow: the device is logged in, and at expiry the user leaves the router', async () => {
    const batch = await createBatch({ producto_id: s.product.id, cantidad: 2 });
    const [code] = await codesOf(batch.id);
    const mac = 'AA:BB:CC:00:19:01';
    s.router.attachDevice(mac, '10.5.50.41');
    const response = await redeem(code.replace(/(\d{4})(?=\d)/g, '$1-'), { mac_cliente: mac, ip_cliente: '10.5.50.41' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ success: true, estado_pago: 'voucher', tipo_usuario: 'pin', auto_conexion: { estado: 'conectado', mac } });
    const name = body.usuario_hotspot.usuario;
    expect(routerUser(s, name)).toMatchObject({ disabled: 'false', comment: `pagos-hotspot:${body.id_compra}` });
    expect(s.router.state.list('/ip/hotspot/active').filter((a) => a.user === name)).toHaveLength(1);
    const row = await purchase(s, body.id_compra);
    expect(row).toMatchObject({ gateway: 'voucher', amountCents: s.product.priceCents, gatewayReference: null, cardTokenEncrypted: null });
    expect((await voucherStatuses(batch.id))[0]).toMatchObject({ serie: 1, estado: 'active', compra_id: body.id_compra });
    expect([...s.conekta.chargesFor(body.id_compra), ...s.mercadoPago.chargesFor(body.id_compra)]).toEqual([]);

    await waitForStatus(s, body.id_compra, 'expired', 20_000);
    expect(routerUser(s, name)).toBeUndefined();
    expect(await statusTrail(s, body.id_compra)).toEqual(['created', 'charging', 'paid', 'active', 'expired']);
    expect((await voucherStatuses(batch.id))[0].estado).toBe('expired');

    const sales = await admin('GET', '/api/v1/admin/purchases?pasarela=voucher');
    expect(sales.json().compras.map((p: { id: string }) => p.id)).toContain(body.id_compra);
    const csv = await admin('GET', '/api/v1/admin/purchases/export.csv?pasarela=voucher');
    expect(csv.body).toContain(body.id_compra);
    const dashboard = (await admin('GET', '/api/v1/admin/mi-empresa/dashboard')).json();
    expect(dashboard.efectivo_vs_tarjeta).toEqual({ efectivo: { MXN: row.amountCents / 100 }, tarjeta: {} });
    expect(dashboard.por_pasarela).toEqual([expect.objectContaining({ pasarela: 'voucher', compras: 1, compras_pagadas: 1 })]);
  });

  it('refuses a code redeemed twice, and lets only one of two racing redemptions through', async () => {
    const batch = await createBatch({ producto_id: longProductId, cantidad: 2 });
    const [first, second] = await codesOf(batch.id);
    expect((await redeem(first)).statusCode).toBe(200);
    const twice = await redeem(first);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().detail).toBe('Esta ficha ya fue canjeada.');

    const racing = await Promise.all([
      redeem(second, { mac_cliente: 'AA:BB:CC:00:19:02' }),
      redeem(second, { mac_cliente: 'AA:BB:CC:00:19:03' }),
      redeem(second, { mac_cliente: 'AA:BB:CC:00:19:04' }),
    ]);
    expect(racing.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
    const winner = racing.find((r) => r.statusCode === 200)!.json();
    const rows = await s.db.dataSource.getRepository(PurchaseEntity).findBy({ gateway: 'voucher', productId: longProductId });
    const users = s.router.state.list('/ip/hotspot/user').filter((u) => rows.some((p) => u.comment === `pagos-hotspot:${p.id}`));
    expect(users).toHaveLength(2); // one per code
    expect(users.map((u) => u.name)).toContain(winner.usuario_hotspot.usuario);
  });

  it('answers in Spanish why a code cannot be redeemed: unknown, another company, another router, past its date', async () => {
    const unknown = await redeem('000000000000');
    expect(unknown.statusCode).toBe(404);

    const other = await createCompany(s.db.dataSource);
    const otherRouter = await createRouter(s.db.dataSource, s.secrets, other.id, { host: s.router.host, port: s.router.port, password: 'router-secret' });
    const otherKey = (await issueKey(s.db.dataSource, s.config, otherRouter)).apiKey;
    const batch = await createBatch({ producto_id: longProductId, cantidad: 2, canjear_antes_de: new Date(Date.now() + 86_400_000).toISOString() });
    const [code, late] = await codesOf(batch.id);
    const elsewhere = await redeem(code, {}, otherKey);
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json().detail).toBe('Esta ficha no es de esta red WiFi.');

    const sameCompanyRouter = await createRouter(s.db.dataSource, s.secrets, s.company.id, { host: s.router.host, port: s.router.port, password: 'router-secret' });
    const sameCompanyKey = (await issueKey(s.db.dataSource, s.config, sameCompanyRouter)).apiKey;
    const wrongRouter = await redeem(code, {}, sameCompanyKey);
    expect(wrongRouter.statusCode).toBe(403);
    expect(wrongRouter.json().detail).toBe('Esta ficha no es válida en este punto de acceso.');

    await s.db.dataSource.getRepository(VoucherBatchEntity).update({ id: batch.id }, { redeemBy: new Date(Date.now() - 1000) });
    const expired = await redeem(late);
    expect(expired.statusCode).toBe(409);
    expect(expired.json().detail).toMatch(/^Esta ficha venció el \d{4}-\d{2}-\d{2} sin canjearse\.$/);
    expect((await voucherStatuses(batch.id)).map((v) => v.estado)).toEqual(['expired', 'expired']);
  });

  it('extends an active voucher, and revoking its batch removes the users it gave and refuses its unused codes', async () => {
    const batch = await createBatch({ producto_id: longProductId, cantidad: 3, formato: 'usuario_contrasena' });
    const csv = (await admin('GET', `/api/v1/admin/vouchers/batches/${batch.id}/export.csv`)).body.trim().split('\r\n').slice(1);
    const [a, b, unused] = csv.map((line) => line.split(','));
    const redeemedA = await redeem(a[1].toLowerCase(), { contrasena: a[2] });
    expect(redeemedA.statusCode).toBe(200);
    expect(redeemedA.json().tipo_usuario).toBe('usuario_contrasena');
    expect((await redeem(b[1], { contrasena: 'WRONGPASS' })).statusCode).toBe(404);
    const redeemedB = await redeem(b[1], { contrasena: b[2] });
    const users = [redeemedA.json().usuario_hotspot.usuario, redeemedB.json().usuario_hotspot.usuario];

    const vouchers = await voucherStatuses(batch.id);
    const voucherA = (await s.db.dataSource.getRepository(VoucherEntity).findOneByOrFail({ batchId: batch.id, serial: 1 })).id;
    const before = (await purchase(s, vouchers[0].compra_id!)).expiresAt!.getTime();
    const extended = await admin('POST', `/api/v1/admin/vouchers/${voucherA}/extend`, { minutos: 30 });
    expect(extended.statusCode).toBe(200);
    expect(Date.parse(extended.json().expira_en)).toBe(before + 30 * 60_000);

    const revoked = await admin('POST', `/api/v1/admin/vouchers/batches/${batch.id}/revoke`, { motivo: 'Lote extraviado' });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ fichas_revocadas: 3, accesos_revocados: 2, accesos_en_curso: 0 });
    for (const id of [vouchers[0].compra_id!, vouchers[1].compra_id!]) await waitForStatus(s, id, 'revoked', 20_000);
    for (const user of users) expect(routerUser(s, user)).toBeUndefined();
    expect((await voucherStatuses(batch.id)).map((v) => v.estado)).toEqual(['revoked', 'revoked', 'revoked']);

    const refused = await redeem(unused[1], { contrasena: unused[2] });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toBe('Esta ficha fue anulada.');
    expect((await admin('POST', `/api/v1/admin/vouchers/batches/${batch.id}/revoke`)).statusCode).toBe(409);
    const actions = (await s.db.dataSource.getRepository(AuditLogEntity).findBy({ companyId: s.company.id })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['voucher.batch_revoked', 'purchase.extend', 'purchase.revoke']));
  });
});
