import { CompanyEntity } from '../../../db/entities';
import { auditRows, companyRow, setupAdminTest, type AdminTest } from './support';

describe('company admin: gateway credentials', () => {
  let s: AdminTest;
  beforeAll(async () => {
    s = await setupAdminTest();
  });
  beforeEach(async () => {
    s.workflows.reset();
    await s.ds.getRepository(CompanyEntity).update(
      { id: s.company.id },
      {
        conektaPrivateKeyEncrypted: null,
        conektaPublicKey: null,
        conektaMode: 'test',
        mercadoPagoAccessTokenEncrypted: null,
        mercadoPagoPublicKey: null,
        mercadoPagoWebhookSecretEncrypted: null,
        mercadoPagoMode: 'test',
        telegramBotTokenEncrypted: null,
        telegramChatId: null,
        telegramEnabled: false,
      },
    );
  });
  afterAll(() => s.close());

  const inject = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown>, headers = s.companyAdmin.headers) =>
    s.t.app.inject({ method, url, headers, payload });
  const row = () => companyRow(s.ds, s.company.id);

  describe.each([
    ['PUT', '/api/v1/admin/mi-empresa/conekta-config', 'Configuración de Conekta actualizada'],
    ['POST', '/api/v1/admin/mi-empresa/configurar-conekta', 'Credenciales de Conekta actualizadas correctamente'],
  ] as const)('%s %s', (method, url, message) => {
    it('encrypts the private key, and a later call without mode or key keeps them (the original reset the mode)', async () => {
      const first = await inject(method, url, {
        conekta_private_key: 'key_private_live',
        conekta_public_key: 'key_public_live',
        conekta_mode: 'live',
      });
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ message });
      const stored = await row();
      expect(stored.conektaPrivateKeyEncrypted).toMatch(/^v1\./);
      expect(stored.conektaPrivateKeyEncrypted).not.toContain('key_private_live');
      expect(s.t.deps.secrets.decrypt(stored.conektaPrivateKeyEncrypted!)).toBe('key_private_live');

      await inject(method, url, { conekta_public_key: 'key_public_2' });
      const after = await row();
      expect(after).toMatchObject({
        conektaMode: 'live',
        conektaPublicKey: 'key_public_2',
        conektaPrivateKeyEncrypted: stored.conektaPrivateKeyEncrypted,
      });

      // A form sent back as it was read (masked) changes nothing; "" clears.
      await inject(method, url, { conekta_private_key: '********', conekta_public_key: '' });
      expect(await row()).toMatchObject({ conektaPrivateKeyEncrypted: stored.conektaPrivateKeyEncrypted, conektaPublicKey: null });
    });

    it('validates the mode', async () => {
      const response = await inject(method, url, { conekta_mode: 'production' });
      expect(response.statusCode).toBe(422);
      expect(response.json().detail[0]).toMatchObject({ loc: ['body', 'conekta_mode'], type: 'literal_error' });
    });
  });

  it('reads the Conekta settings masked, with the webhook URL built from PUBLIC_BASE_URL', async () => {
    await inject('POST', '/api/v1/admin/mi-empresa/configurar-conekta', { conekta_private_key: 'key_x', conekta_public_key: 'key_pub' });
    const response = await inject('GET', '/api/v1/admin/mi-empresa/conekta');
    expect(response.json()).toEqual({
      message: 'Configuración cargada',
      configuracion_actual: { conekta_public_key: 'key_pub', conekta_mode: 'test', conekta_private_key: '********', webhook_key_id: null },
      webhook_url: 'https://pagos.example.com/api/v1/webhook/conekta',
    });
  });

  it('sets Mercado Pago credentials encrypted in the original Fernet format, keeping what is left out', async () => {
    const response = await inject('POST', '/api/v1/admin/mi-empresa/configurar-credenciales', {
      access_token: 'APP_USR-token-123',
      public_key: 'APP_USR-public',
      webhook_secret: 'whsec-abc',
      mode: 'live',
    });
    expect(response.json()).toEqual({ message: 'Credenciales de Mercado Pago actualizadas correctamente' });
    const stored = await row();
    expect(stored.mercadoPagoAccessTokenEncrypted).toMatch(/^gAAAAA/);
    expect(stored.mercadoPagoWebhookSecretEncrypted).toMatch(/^gAAAAA/);
    expect(s.t.deps.secrets.decrypt(stored.mercadoPagoAccessTokenEncrypted!)).toBe('APP_USR-token-123');
    expect(s.t.deps.secrets.decrypt(stored.mercadoPagoWebhookSecretEncrypted!)).toBe('whsec-abc');

    await inject('POST', '/api/v1/admin/mi-empresa/configurar-credenciales', { public_key: 'APP_USR-public-2' });
    expect(await row()).toMatchObject({
      mercadoPagoMode: 'live',
      mercadoPagoPublicKey: 'APP_USR-public-2',
      mercadoPagoAccessTokenEncrypted: stored.mercadoPagoAccessTokenEncrypted,
      mercadoPagoWebhookSecretEncrypted: stored.mercadoPagoWebhookSecretEncrypted,
    });

    const read = await inject('GET', '/api/v1/admin/mi-empresa/mercado-pago');
    expect(read.json()).toEqual({
      message: 'Configuración cargada',
      configuracion_actual: { access_token: '********', public_key: 'APP_USR-public-2', mode: 'live', webhook_secret: '********' },
      webhook_url: 'https://pagos.example.com/api/v1/webhook/mercado-pago',
    });
    expect(read.body).not.toContain('token-123');
  });

  it("has the Mercado Pago module's setter behave the same, with Telegram settings and the original response", async () => {
    await inject('POST', '/api/v1/admin/mi-empresa/configurar-credenciales', { mode: 'live' });
    const response = await inject('POST', '/api/v1/payments/configurar-credenciales', {
      access_token: 'APP_USR-token-9',
      telegram_bot_token: '123456:ABC-bot-token',
      telegram_chat_id: '-1001234567',
      notificaciones_telegram: true,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      message: 'Credenciales actualizadas correctamente',
      empresa: { id: s.company.id, nombre: 'Café Norte' },
      campos_modificados: ['access_token', 'telegram_bot_token', 'telegram_chat_id', 'notificaciones_telegram'],
      configuracion_actual: {
        access_token: true,
        webhook_secret: false,
        public_key: false,
        mode: 'live',
        telegram_configurado: true,
        telegram_activo: true,
      },
      webhook_url: 'https://pagos.example.com/api/v1/webhook/mercado-pago',
    });
    const stored = await row();
    expect(stored.mercadoPagoAccessTokenEncrypted).toMatch(/^gAAAAA/);
    expect(stored.telegramBotTokenEncrypted).toMatch(/^v1\./);
    expect(s.t.deps.secrets.decrypt(stored.telegramBotTokenEncrypted!)).toBe('123456:ABC-bot-token');
    expect(stored.mercadoPagoMode).toBe('live');
  });

  it('refuses control characters in every gateway key and a malformed Telegram token, naming each field, storing nothing', async () => {
    const response = await inject('POST', '/api/v1/payments/configurar-credenciales', {
      access_token: 'APP_USR-1\r\nX-Injected: 1',
      public_key: 'APP_USR-pub\u0000',
      webhook_secret: 'whsec\u007f',
      telegram_bot_token: '1:a/../../bot2:b/sendMessage#',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail.map((d: { loc: string[]; msg: string }) => [d.loc[1], d.msg])).toEqual([
      ['access_token', 'No se permiten caracteres de control'],
      ['public_key', 'No se permiten caracteres de control'],
      ['webhook_secret', 'No se permiten caracteres de control'],
      ['telegram_bot_token', 'Token de bot de Telegram inválido'],
    ]);
    const conekta = await inject('POST', '/api/v1/admin/mi-empresa/configurar-conekta', { conekta_private_key: 'key_\nx' });
    expect(conekta.json().detail.map((d: { loc: string[] }) => d.loc[1])).toEqual(['conekta_private_key']);
    const company = await companyRow(s.ds, s.company.id);
    expect([company.mercadoPagoAccessTokenEncrypted, company.telegramBotTokenEncrypted, company.conektaPrivateKeyEncrypted]).toEqual([null, null, null]);
  });

  it('refuses to enable Telegram notifications without a token and chat', async () => {
    const response = await inject('POST', '/api/v1/payments/configurar-credenciales', { notificaciones_telegram: true });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'Faltan credenciales (Token o Chat ID)' });
  });

  it('records every credential change in the audit log by field name, never the value', async () => {
    await inject('POST', '/api/v1/admin/mi-empresa/configurar-credenciales', { access_token: 'APP_USR-audit-me' });
    const rows = await auditRows(s.ds, 'gateway.mercado_pago_updated');
    expect(rows.at(-1)).toMatchObject({
      actor_email: s.companyAdmin.user.email,
      company_id: s.company.id,
      detail: { fields: ['mercadoPagoAccessToken'] },
    });
    const all: { detail: unknown }[] = await s.ds.query('SELECT detail FROM audit_log');
    expect(JSON.stringify(all)).not.toMatch(/APP_USR-|key_private|whsec|bot-token/);
  });

  it("registers a Conekta webhook key through the worker and stores Conekta's public key", async () => {
    const refused = await inject('POST', '/api/v1/admin/mi-empresa/conekta/webhook-key');
    expect(refused.statusCode).toBe(400);

    await inject('POST', '/api/v1/admin/mi-empresa/configurar-conekta', { conekta_private_key: 'key_private' });
    const response = await inject('POST', '/api/v1/admin/mi-empresa/conekta/webhook-key');
    expect(response.json()).toEqual({
      message: 'Llave de webhook de Conekta registrada',
      key_id: 'webhk_test_1',
      webhook_url: 'https://pagos.example.com/api/v1/webhook/conekta',
    });
    expect(s.workflows.callsOf('registerConektaWebhookKey')).toEqual([[s.company.id]]);
    expect(await row()).toMatchObject({
      conektaWebhookKeyId: 'webhk_test_1',
      conektaWebhookPublicKey: expect.stringContaining('BEGIN PUBLIC KEY'),
    });
    expect((await inject('GET', '/api/v1/admin/mi-empresa/conekta')).json().configuracion_actual.webhook_key_id).toBe('webhk_test_1');

    s.workflows.results.registerConektaWebhookKey = {
      ok: false,
      code: 'PAYMENT_GATEWAY_REJECTED',
      message: 'Conekta rechazó la llave privada',
    };
    const failed = await inject('POST', '/api/v1/admin/mi-empresa/conekta/webhook-key');
    expect(failed.statusCode).toBe(502);
    expect(failed.json()).toEqual({ detail: 'Conekta rechazó la llave privada' });
  });

  it('is for company admins only: a super admin gets 403, as in the original', async () => {
    const response = await inject('GET', '/api/v1/admin/mi-empresa/conekta', undefined, s.superAdmin.headers);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ detail: 'Se requiere rol CLIENTE_ADMIN' });
    expect((await inject('POST', '/api/v1/payments/configurar-credenciales', {}, s.superAdmin.headers)).statusCode).toBe(403);
  });
});
