import { CompanyEntity, TelegramTestEntity } from '../../../db/entities';
import { auditRows, companyRow, setupAdminTest, type AdminTest } from './support';
import { buildTestApp } from '../../helpers/app';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 2)]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(64, 3)]);

/** A multipart/form-data body with one file part. */
function multipart(bytes: Buffer, filename: string, field = 'file', type = 'image/png') {
  const boundary = '----pagos-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('company admin: own company, logo and Telegram', () => {
  let s: AdminTest;
  beforeAll(async () => {
    s = await setupAdminTest();
  });
  beforeEach(() => s.workflows.reset());
  afterAll(() => s.close());

  const inject = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown>, headers = s.companyAdmin.headers) =>
    s.t.app.inject({ method, url, headers, payload });
  const upload = (body: ReturnType<typeof multipart>, headers = s.companyAdmin.headers) =>
    s.t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/mi-empresa/logo',
      headers: { ...headers, ...body.headers },
      payload: body.payload,
    });

  it("reads the admin's own company in the original shape, the bot token masked", async () => {
    await s.ds
      .getRepository(CompanyEntity)
      .update({ id: s.company.id }, { telegramBotTokenEncrypted: s.t.deps.secrets.encrypt('123:bot'), telegramChatId: '42' });
    const response = await inject('GET', '/api/v1/admin/mi-empresa');
    expect(response.json()).toEqual({
      id: s.company.id,
      nombre: 'Café Norte',
      contacto_email: 'contacto@cafe.example',
      contacto_telefono: null,
      logo_url: null,
      conekta_mode: 'test',
      conekta_public_key: null,
      mercado_pago_mode: 'test',
      mercado_pago_public_key: null,
      activa: true,
      creada_en: expect.any(String),
      telegram_bot_token: '********',
      telegram_chat_id: '42',
      notificaciones_telegram: false,
    });
    const other = await inject('GET', '/api/v1/admin/mi-empresa', undefined, s.otherAdmin.headers);
    expect(other.json().id).toBe(s.other.id);
  });

  it('updates only the fields present; null clears a contact, the name cannot be null', async () => {
    const response = await inject('PUT', '/api/v1/admin/mi-empresa', {
      contacto_telefono: '+52 33 1234 5678',
      telegram_bot_token: '999:new-token',
    });
    expect(response.json()).toEqual({
      message: 'Información de la empresa actualizada correctamente',
      empresa: {
        nombre: 'Café Norte',
        contacto_email: 'contacto@cafe.example',
        contacto_telefono: '+52 33 1234 5678',
        telegram_bot_token: '********',
        telegram_chat_id: '42',
        notificaciones_telegram: false,
      },
    });
    const stored = await companyRow(s.ds, s.company.id);
    expect(stored.telegramBotTokenEncrypted).toMatch(/^v1\./);
    expect(s.t.deps.secrets.decrypt(stored.telegramBotTokenEncrypted!)).toBe('999:new-token');

    // The form sent back with the mask keeps the token.
    await inject('PUT', '/api/v1/admin/mi-empresa', {
      contacto_email: null,
      telegram_bot_token: '********',
      notificaciones_telegram: true,
    });
    const after = await companyRow(s.ds, s.company.id);
    expect(after).toMatchObject({ contactEmail: null, telegramBotTokenEncrypted: stored.telegramBotTokenEncrypted, telegramEnabled: true });
    expect((await auditRows(s.ds, 'company.updated')).at(-1)?.detail).toEqual({ fields: ['contactEmail'] });
    expect((await auditRows(s.ds, 'notifications.telegram_updated')).at(-1)?.detail).toEqual({ fields: ['telegramEnabled'] });

    const invalid = await inject('PUT', '/api/v1/admin/mi-empresa', { nombre: null, contacto_email: 'x', telegram_chat_id: 'chat 1' });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().detail.map((d: { loc: string[] }) => d.loc[1])).toEqual(['nombre', 'contacto_email', 'telegram_chat_id']);
  });

  it.each([
    ['PNG', PNG, 'png'],
    ['JPEG', JPEG, 'jpg'],
    ['WEBP', WEBP, 'webp'],
  ])('uploads a %s logo, names it itself and serves it under /static/logos', async (_name, bytes, extension) => {
    const response = await upload(multipart(bytes, '../../etc/passwd.exe', 'file', 'text/plain'));
    expect(response.statusCode).toBe(200);
    const { logo_url } = response.json();
    expect(logo_url).toMatch(new RegExp(`^/static/logos/logo_${s.company.id}_[0-9a-f]{16}\\.${extension}$`));
    expect((await companyRow(s.ds, s.company.id)).logoUrl).toBe(logo_url);

    const served = await s.t.app.inject({ method: 'GET', url: logo_url });
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(bytes)).toBe(true);
    expect(served.headers['content-type']).toBe(extension === 'jpg' ? 'image/jpeg' : `image/${extension}`);
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['cache-control']).toBe('public, max-age=86400');
    expect(served.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
  });

  it('serves a logo from the database to any API process, and answers 304 to a cache that holds the current one', async () => {
    const logoUrl = (await upload(multipart(PNG, 'a.png'))).json().logo_url as string;
    const other = await buildTestApp(s.db, s.config, { workflows: s.workflows });
    try {
      const served = await other.app.inject({ method: 'GET', url: logoUrl });
      expect(served.statusCode).toBe(200);
      expect(served.rawPayload.equals(PNG)).toBe(true);
      const etag = served.headers.etag as string;
      for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const cached = await other.app.inject({ method: 'GET', url: logoUrl, headers: { 'if-none-match': header } });
        expect([cached.statusCode, cached.body, cached.headers.etag]).toEqual([304, '', etag]);
      }
      const stale = await other.app.inject({ method: 'GET', url: logoUrl, headers: { 'if-none-match': '"other"' } });
      expect(stale.statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('keeps one logo per company: the replaced upload is gone', async () => {
    const first = (await upload(multipart(PNG, 'a.png'))).json().logo_url as string;
    const second = (await upload(multipart(JPEG, 'b.jpg'))).json().logo_url as string;
    expect((await s.t.app.inject({ method: 'GET', url: first })).statusCode).toBe(404);
    expect((await s.t.app.inject({ method: 'GET', url: first })).json()).toEqual({ detail: 'Logo no encontrado' });
    expect((await s.t.app.inject({ method: 'GET', url: second })).statusCode).toBe(200);
    expect(await s.ds.query(`SELECT file_name FROM company_logos WHERE company_id = $1`, [s.company.id])).toEqual([{ file_name: second.split('/').at(-1) }]);
    expect((await auditRows(s.ds, 'company.logo_updated')).at(-1)?.detail).toEqual({ logo_url: second });
  });

  it('checks the type by content, not by the file name', async () => {
    const html = await upload(multipart(Buffer.from('<html><script>alert(1)</script></html>'), 'logo.png'));
    expect(html.statusCode).toBe(400);
    expect(html.json()).toEqual({ detail: 'Formato de imagen no permitido' });
  });

  it('refuses a logo over 1 MB, a missing file and a non-multipart body', async () => {
    const big = await upload(multipart(Buffer.concat([PNG, Buffer.alloc(1024 * 1024)]), 'big.png'));
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ detail: 'El logo excede el tamaño máximo de 1 MB' });
    const wrongField = await upload(multipart(PNG, 'a.png', 'imagen'));
    expect(wrongField.statusCode).toBe(400);
    const json = await inject('POST', '/api/v1/admin/mi-empresa/logo', { file: 'x' });
    expect(json.statusCode).toBe(415);
  });

  it('needs a company admin to upload', async () => {
    expect((await upload(multipart(PNG, 'a.png'), s.superAdmin.headers)).statusCode).toBe(403);
    expect((await s.t.app.inject({ method: 'POST', url: '/api/v1/admin/mi-empresa/logo', ...multipart(PNG, 'a.png') })).statusCode).toBe(
      403,
    );
  });

  it('sends a Telegram test through the worker, with the stored settings or the ones given', async () => {
    const stored = await inject('POST', '/api/v1/admin/test-telegram', {});
    expect(stored.json()).toEqual({ message: 'Mensaje de prueba enviado con éxito' });
    const given = await inject('POST', '/api/v1/admin/test-telegram', { token: '1:abc', chat_id: '7' });
    expect(given.statusCode).toBe(200);
    // The given token travels as the id of a short-lived encrypted row, never as a workflow argument.
    expect(s.workflows.callsOf('sendTelegramTest')).toEqual([[s.company.id], [s.company.id, expect.stringMatching(/^[0-9a-f-]{36}$/)]]);
    expect(JSON.stringify(s.workflows.calls)).not.toContain('1:abc');
    expect(await s.ds.getRepository(TelegramTestEntity).count()).toBe(0);
    const malformed = await inject('POST', '/api/v1/admin/test-telegram', { token: '1:a/../../bot2:b/x#', chat_id: '7' });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json().detail[0].loc).toEqual(['body', 'token']);

    s.workflows.results.sendTelegramTest = { ok: false, code: 'BAD_REQUEST', message: 'Unauthorized' };
    const failed = await inject('POST', '/api/v1/admin/test-telegram', {});
    expect(failed.statusCode).toBe(502);
    expect(failed.json()).toEqual({ detail: 'Error de Telegram. Verifica que el Token sea válido y que hayas iniciado chat con el bot.' });
  });

  it('refuses a Telegram test without a token or chat id', async () => {
    const response = await inject('POST', '/api/v1/admin/test-telegram', {}, s.otherAdmin.headers);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'Faltan credenciales (Token o Chat ID)' });
    expect(s.workflows.callsOf('sendTelegramTest')).toEqual([]);
  });
});
