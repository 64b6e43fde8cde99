import { Writable } from 'node:stream';
import {
  createTelegramNotifier,
  escapeHtml,
  purchaseApprovedMessage,
  purchaseDeclinedMessage,
  purchaseRefundedMessage,
  routerUnreachableMessage,
  type TelegramNotifier,
  type TelegramTarget,
} from '../../../activities/notify/telegram';
import { startTelegramSimulator, type TelegramSimulator } from '../../../sandbox/telegram/server';
import { createLogger } from '../../../shared/logger';

const BOT_TOKEN = '123456789:AAHsecretBotTokenForTheTests_0123';
const target: TelegramTarget = { enabled: true, botToken: BOT_TOKEN, chatId: '-100200300' };
const purchase = {
  companyName: 'WiFi <Centro> & Café',
  productName: 'Ficha 1 hora',
  amountCents: 1999,
  currency: 'MXN' as const,
  customerName: '<script>alert("x")</script> Ana',
  reference: 'ord_2tR',
};

describe('Telegram notifier (against the Telegram simulator)', () => {
  let sim: TelegramSimulator;
  let notifier: TelegramNotifier;
  const logLines: string[] = [];

  beforeAll(async () => {
    sim = await startTelegramSimulator();
    const logger = createLogger(
      { level: 'trace' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    notifier = createTelegramNotifier({ baseUrl: sim.url, timeoutMs: 500, logger });
  });

  beforeEach(() => sim.reset());
  afterAll(() => sim.close());

  it('sends an HTML message to the company chat with the customer data escaped', async () => {
    const text = purchaseApprovedMessage({
      ...purchase,
      userType: 'usuario_contrasena',
      username: 'hs4821',
      password: '7312',
    });
    expect(await notifier.send(target, text)).toEqual({ sent: true, messageId: 1 });

    const [message] = sim.messages();
    expect(message).toMatchObject({ botToken: BOT_TOKEN, chatId: '-100200300', parseMode: 'HTML' });
    expect(message.text).toContain('✅ <b>¡Pago Aprobado!</b>');
    expect(message.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Ana');
    expect(message.text).toContain('WiFi &lt;Centro&gt; &amp; Café');
    expect(message.text).toContain('$19.99 MXN');
    expect(message.text).toContain('🔑 <b>Usuario:</b> hs4821');
    expect(message.text).toContain('🔒 <b>Contraseña:</b> 7312');
  });

  it('shows a PIN user their PIN, not an empty password (the original printed the empty password)', () => {
    const text = purchaseApprovedMessage({ ...purchase, userType: 'pin', username: '48213', password: '' });
    expect(text).toContain('🔢 <b>PIN:</b> 48213');
    expect(text).not.toContain('Contraseña');
  });

  it('builds the declined, refunded and router-unreachable messages, all parseable by Telegram', async () => {
    const texts = [
      purchaseDeclinedMessage({ ...purchase, reason: 'Fondos insuficientes en la tarjeta.' }),
      purchaseRefundedMessage({ ...purchase, reason: 'No se pudo entregar el acceso.' }),
      routerUnreachableMessage({
        companyName: purchase.companyName,
        routerName: 'Torre <Norte>',
        detail: 'connect ETIMEDOUT',
        reference: 'ord_2tR',
      }),
    ];
    for (const text of texts) expect(await notifier.send(target, text)).toMatchObject({ sent: true });

    const [declined, refunded, router] = sim.messages().map((m) => m.text);
    expect(declined).toMatch(/^❌ <b>Pago Rechazado<\/b>/);
    expect(declined).toContain('⚠️ <b>Motivo:</b> Fondos insuficientes en la tarjeta.');
    expect(refunded).toMatch(/^↩️ <b>Pago Reembolsado<\/b>/);
    expect(refunded).toContain('No se pudo entregar el acceso.');
    expect(router).toMatch(/^🚨 <b>Router sin conexión<\/b>/);
    expect(router).toContain('Torre &lt;Norte&gt;');
  });

  it('reports (not throws) what Telegram refuses, e.g. unescaped HTML', async () => {
    expect(await notifier.send(target, `Cliente: <script>${escapeHtml('ok')}`)).toMatchObject({
      sent: false,
      reason: 'rejected',
      retryable: false,
      httpStatus: 400,
      description: expect.stringContaining("can't parse entities"),
    });
  });

  it.each([
    [{ enabled: false, botToken: BOT_TOKEN, chatId: '1' }],
    [{ enabled: true, botToken: null, chatId: '1' }],
    [{ enabled: true, botToken: BOT_TOKEN, chatId: '' }],
    [null],
  ])('sends nothing when the company has Telegram off or unconfigured (%j)', async (settings) => {
    expect(await notifier.send(settings, 'hola')).toEqual({ sent: false, reason: 'not_configured', retryable: false });
    expect(sim.messages()).toHaveLength(0);
  });

  it.each([
    ['server_error', { sent: false, reason: 'rejected', retryable: true, httpStatus: 502 }],
    ['rate_limited', { sent: false, reason: 'rejected', retryable: true, httpStatus: 429 }],
    ['timeout', { sent: false, reason: 'timeout', retryable: true }],
  ] as const)('returns a result instead of throwing when Telegram fails (%s)', async (mode, expected) => {
    sim.setFailure(mode);
    expect(await notifier.send(target, 'hola')).toMatchObject(expected);
  });

  it('returns a result instead of throwing when Telegram is unreachable', async () => {
    const closed = await startTelegramSimulator();
    const unreachable = createTelegramNotifier({ baseUrl: closed.url, timeoutMs: 500 });
    await closed.close();
    expect(await unreachable.send(target, 'hola')).toEqual({ sent: false, reason: 'network', retryable: true });
  });

  it('refuses a malformed bot token as a final failure, before any request: it would change the path of the URL', async () => {
    for (const botToken of ['not-a-token', '999:x/../../bot1:y/sendMessage#', '1:a?b', '1:a b']) {
      expect(await notifier.send({ ...target, botToken }, 'hola')).toEqual({ sent: false, reason: 'invalid_token', retryable: false });
    }
    expect(sim.messages()).toEqual([]);
  });

  it('never logs the bot token', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toContain('AAHsecretBotToken');
  });
});
