import { randomUUID } from 'node:crypto';
import { createNotifyActivities } from '../../../activities/notify/activities';
import { NOTICE_MAX_ATTEMPTS, NoticeSender, type NoticeSenderOptions } from '../../../activities/notify/sender';
import { createTelegramNotifier, type TelegramNotifier } from '../../../activities/notify/telegram';
import type { CompanyEntity, PurchaseEntity } from '../../../db/entities';
import { claimNotices } from '../../../db/repositories/operator-notices';
import type { OperatorNotice } from '../../../domain/temporal';
import { startTelegramSimulator, type TelegramSimulator } from '../../../sandbox/telegram/server';
import { SecretBox } from '../../../shared/secrets';
import { testConfig } from '../../helpers/config';
import { createTestDatabase, statementCalls, statementStats, type TestDatabase } from '../../helpers/database';
import { createCompany, createProduct, createRouter } from '../../helpers/fixtures';
import { purchaseRow } from '../../helpers/purchases';
import { eventually } from '../../helpers/stack';
import { capturingLogger } from '../routeros/helpers';

const BOT_TOKEN = '123456789:AAHsecretNoticeBotToken_0123';
const HOTSPOT_PASSWORD = 'pw-Secret-4821';

/**
 * The operator notices outbox against the real database and the Telegram simulator: the notify activity queues a
 * row, the worker's notice sender claims, sends and deletes it.
 */
describe('operator notices: queued by notifyOperator, sent by the notice sender', () => {
  let db: TestDatabase;
  let sim: TelegramSimulator;
  let telegram: TelegramNotifier;
  const secrets = new SecretBox(testConfig().SECRET_KEY);
  const { logger, lines } = capturingLogger();
  type Tenant = Parameters<typeof purchaseRow>[0];
  let tenant: Tenant;
  let quiet: Tenant;
  const senders: NoticeSender[] = [];

  const tenantOf = async (values: Partial<CompanyEntity>): Promise<Tenant> => {
    const company = await createCompany(db.dataSource, { name: 'WiFi <Centro> & Café', ...values });
    const routerRow = await createRouter(db.dataSource, secrets, company.id, { name: 'Torre <Norte>' });
    return { db, company, routerRow, product: await createProduct(db.dataSource, routerRow) };
  };
  const sender = (options: Partial<NoticeSenderOptions> = {}) => {
    const created = new NoticeSender({ dataSource: db.dataSource, secrets, telegram, logger, pollMs: 20, backoffMs: 200, ...options });
    senders.push(created);
    return created;
  };
  const sale = (values: Partial<PurchaseEntity> = {}, of = tenant) =>
    purchaseRow(of, 'active', {
      customerName: '<b>Ana</b> López',
      gatewayReference: `ord_${randomUUID().slice(0, 8)}`,
      hotspotUsername: 'hs4821',
      hotspotPasswordEncrypted: secrets.encrypt(HOTSPOT_PASSWORD),
      activatedAt: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
      ...values,
    });
  const notifyOperator = (purchaseId: string, notice: OperatorNotice) =>
    createNotifyActivities({ dataSource: db.dataSource, secrets, telegram }).notifyOperator(purchaseId, notice);
  const queued = (): Promise<{ purchaseId: string; notice: string; attempts: number; dueInMs: number }[]> =>
    db.dataSource.query(
      `SELECT purchase_id AS "purchaseId", notice, attempts, (extract(epoch FROM due_at - clock_timestamp()) * 1000)::float8 AS "dueInMs"
         FROM operator_notices ORDER BY id`,
    );
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    [db, sim] = await Promise.all([createTestDatabase(), startTelegramSimulator()]);
    telegram = createTelegramNotifier({ baseUrl: sim.url, timeoutMs: 500, logger });
    tenant = await tenantOf({ telegramEnabled: true, telegramBotTokenEncrypted: secrets.encrypt(BOT_TOKEN), telegramChatId: '-100200300' });
    quiet = await tenantOf({ telegramEnabled: false, telegramBotTokenEncrypted: secrets.encrypt(BOT_TOKEN), telegramChatId: '-100200300' });
  });
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((s) => s.close()));
    sim.reset();
    sim.setLatency(0);
    await db.dataSource.query('DELETE FROM operator_notices');
  });
  afterAll(async () => {
    await sim.close();
    await db.drop();
  });

  it('queues a notice as one row due now, sending nothing; a purchase that does not exist is an error', async () => {
    const purchase = await sale();
    const before = await statementCalls(db.dataSource, 'INSERT INTO operator_notices%');
    await notifyOperator(purchase.id, 'approved');
    expect(await statementCalls(db.dataSource, 'INSERT INTO operator_notices%')).toBe(before + 1);
    const [row, ...others] = await queued();
    expect(others).toEqual([]);
    expect(row).toMatchObject({ purchaseId: purchase.id, notice: 'approved', attempts: 0 });
    expect(row.dueInMs).toBeLessThanOrEqual(0);
    expect(sim.messages()).toEqual([]);

    const unknown = randomUUID();
    await expect(notifyOperator(unknown, 'approved')).rejects.toThrow(`purchase ${unknown} does not exist`);
    expect(await queued()).toHaveLength(1);
  });

  it('sends a due notice once, with its message, and deletes it: one statement to claim the batch, one to delete it', async () => {
    const purchase = await sale();
    await notifyOperator(purchase.id, 'approved');
    const claims = await statementCalls(db.dataSource, '%UPDATE operator_notices n SET attempts%');
    const deletes = await statementCalls(db.dataSource, 'DELETE FROM operator_notices WHERE id = ANY%');

    sender().start();
    await eventually(async () => (await queued()).length === 0, 5_000, 'the notice to be deleted');
    await sleep(100); // a few more polls: nothing is sent twice
    const [message, ...others] = sim.messages();
    expect(others).toEqual([]);
    expect(message).toMatchObject({ botToken: BOT_TOKEN, chatId: '-100200300', parseMode: 'HTML' });
    expect(message.text).toMatch(/^✅ <b>¡Pago Aprobado!<\/b>/);
    for (const line of [
      '🏢 <b>Empresa:</b> WiFi &lt;Centro&gt; &amp; Café',
      `📦 <b>Plan:</b> ${purchase.productName}`,
      '💰 <b>Monto:</b> $20.00 MXN',
      '👤 <b>Cliente:</b> &lt;b&gt;Ana&lt;/b&gt; López',
      `🧾 <b>Transacción:</b> ${purchase.gatewayReference}`,
      '🔑 <b>Usuario:</b> hs4821',
      `🔒 <b>Contraseña:</b> ${HOTSPOT_PASSWORD}`,
    ]) {
      expect(message.text).toContain(line);
    }
    expect(await statementCalls(db.dataSource, '%UPDATE operator_notices n SET attempts%')).toBeGreaterThan(claims);
    expect(await statementCalls(db.dataSource, 'DELETE FROM operator_notices WHERE id = ANY%')).toBe(deletes + 1);
  });

  it('words every kind of notice from its purchase, each one accepted by Telegram', async () => {
    const purchase = await sale({ status: 'refunded', customerMessage: 'No se pudo entregar el acceso.' });
    const notices: OperatorNotice[] = [
      'approved', 'declined', 'refunded', 'router_unreachable', 'charge_not_recorded', 'reconciliation_refunded', 'workflow_gone',
    ];
    for (const notice of notices) await notifyOperator(purchase.id, notice);
    expect(await sender({ concurrency: 1 }).sendDue()).toBe(notices.length); // one at a time: in the order queued

    const texts = sim.messages().map((m) => m.text);
    expect(texts.map((text) => text.split('\n')[0])).toEqual([
      '✅ <b>¡Pago Aprobado!</b>',
      '❌ <b>Pago Rechazado</b>',
      '↩️ <b>Pago Reembolsado</b>',
      '🚨 <b>Router sin conexión</b>',
      '⚠️ <b>Cargo sin registrar</b>',
      '🔎 <b>Conciliación con la pasarela</b>',
      '🔎 <b>Conciliación con la pasarela</b>',
    ]);
    const [, declined, refunded, router, notRecorded, reconciled, gone] = texts;
    expect(declined).toContain('⚠️ <b>Motivo:</b> No se pudo entregar el acceso.');
    expect(refunded).toContain('ℹ️ <b>Motivo:</b> No se pudo entregar el acceso.');
    expect(router).toContain('📡 <b>Router:</b> Torre &lt;Norte&gt;');
    expect(router).toContain(`🧾 <b>Transacción:</b> ${purchase.id}`);
    expect(notRecorded).toContain(`🆔 <b>Compra:</b> ${purchase.id}`);
    expect(reconciled).toContain('📌 <b>Estado:</b> refunded');
    expect(reconciled).toContain('se reembolsó');
    expect(gone).toContain('ya no estaba en ejecución');
    expect(await queued()).toEqual([]);
  });

  it('deletes the notices of a company with Telegram off without sending them', async () => {
    await notifyOperator((await sale({}, quiet)).id, 'approved');
    expect(await sender().sendDue()).toBe(1);
    expect(await queued()).toEqual([]);
    expect(sim.messages()).toEqual([]);
  });

  it('tries a notice Telegram failed to take again later, waiting longer each time, and gives it up after the last try', async () => {
    const purchase = await sale();
    await notifyOperator(purchase.id, 'approved');
    sim.setFailure('server_error');
    const s = sender({ backoffMs: 200 });

    const waits: number[] = [];
    for (let attempt = 1; attempt < NOTICE_MAX_ATTEMPTS; attempt++) {
      expect(await s.sendDue()).toBe(1);
      const [row] = await queued();
      expect(row.attempts).toBe(attempt);
      waits.push(row.dueInMs);
      expect(await s.sendDue()).toBe(0); // not due yet
      await sleep(row.dueInMs + 20);
    }
    expect(waits[0]).toBeGreaterThan(100);
    expect(waits[0]).toBeLessThanOrEqual(200);
    expect(waits[1]).toBeGreaterThan(300);
    expect(waits[1]).toBeLessThanOrEqual(400);

    expect(await s.sendDue()).toBe(1); // the last try
    expect(await queued()).toEqual([]);
    expect(sim.messages()).toEqual([]);
    expect(lines.join('\n')).toContain('operator notice given up');
    expect(lines.find((line) => line.includes('operator notice given up') && line.includes(purchase.id))).toContain('"httpStatus":502');
  });

  it('sends a notice on its next try once Telegram takes it again', async () => {
    await notifyOperator((await sale()).id, 'approved');
    sim.setFailure('rate_limited');
    const s = sender({ backoffMs: 100 });
    expect(await s.sendDue()).toBe(1);
    sim.setFailure(null);
    await sleep(120);
    expect(await s.sendDue()).toBe(1);
    expect(sim.messages()).toHaveLength(1);
    expect(await queued()).toEqual([]);
  });

  it('drops a notice Telegram can never take, at once', async () => {
    const broken = await tenantOf({ telegramEnabled: true, telegramBotTokenEncrypted: secrets.encrypt('not-a-token'), telegramChatId: '1' });
    const purchase = await sale({}, broken);
    await notifyOperator(purchase.id, 'approved');
    expect(await sender().sendDue()).toBe(1);
    expect(await queued()).toEqual([]);
    expect(lines.find((line) => line.includes('operator notice dropped') && line.includes(purchase.id))).toContain('"reason":"invalid_token"');
  });

  it('drops a notice whose stored secrets do not decrypt, and sends the rest of its batch', async () => {
    const unreadable = await tenantOf({ telegramEnabled: true, telegramBotTokenEncrypted: 'v1.AAAA', telegramChatId: '1' });
    const lost = await sale({}, unreadable);
    await notifyOperator(lost.id, 'approved');
    await notifyOperator((await sale()).id, 'approved');
    expect(await sender().sendDue()).toBe(2);
    expect(sim.messages()).toHaveLength(1);
    expect(await queued()).toEqual([]);
    expect(lines.find((line) => line.includes('operator notice dropped') && line.includes(lost.id))).toContain('stored secret');
  });

  it('never sends a notice twice while two senders take the same rows at once', async () => {
    const purchases = await Promise.all(Array.from({ length: 24 }, () => sale()));
    for (const purchase of purchases) await notifyOperator(purchase.id, 'charge_not_recorded');
    sim.setLatency(20);
    const sent = [0, 0];
    const counting = (i: number): TelegramNotifier => ({
      send: async (target, html) => {
        const result = await telegram.send(target, html);
        if (result.sent) sent[i]++;
        return result;
      },
    });
    const both = [0, 1].map((i) => sender({ telegram: counting(i), batchSize: 4, concurrency: 2, pollMs: 5 }));
    for (const s of both) s.start();
    await eventually(async () => (await queued()).length === 0, 10_000, 'every notice to be sent');
    await Promise.all(both.map((s) => s.close()));

    const told = sim.messages().map((m) => /🆔 <b>Compra:<\/b> (\S+)/.exec(m.text)?.[1]);
    expect(told.sort()).toEqual(purchases.map((p) => p.id).sort());
    expect(sent[0]).toBeGreaterThan(0);
    expect(sent[1]).toBeGreaterThan(0);
  });

  it('sends again a notice whose sender stopped before deleting it, once its lease has ended', async () => {
    await notifyOperator((await sale()).id, 'approved');
    // A sender claims it and dies before sending.
    expect(await claimNotices(db.dataSource, { limit: 10, leaseMs: 300 })).toHaveLength(1);
    const s = sender();
    expect(await s.sendDue()).toBe(0);
    expect(sim.messages()).toEqual([]);

    await sleep(320);
    expect(await s.sendDue()).toBe(1);
    expect(sim.messages()).toHaveLength(1);
    expect(await queued()).toEqual([]);
  });

  it('stops cleanly: closing waits for the batch in flight, then nothing more is sent', async () => {
    const purchase = await sale();
    await notifyOperator(purchase.id, 'approved');
    sim.setLatency(300); // within the notifier's timeout
    const s = sender();
    s.start();
    await eventually(async () => (await queued())[0]?.attempts === 1, 5_000, 'the notice to be claimed');
    await s.close();
    expect(sim.messages()).toHaveLength(1);
    expect(await queued()).toEqual([]);

    await notifyOperator(purchase.id, 'refunded');
    await sleep(100);
    expect(sim.messages()).toHaveLength(1);
    expect(await queued()).toHaveLength(1);
  });

  it('claims cheaply when nothing is due: it reads the due_at index, not the table', async () => {
    const purchase = await sale();
    await db.dataSource.query(
      `INSERT INTO operator_notices (purchase_id, notice, due_at) SELECT $1, 'approved', now() + interval '1 hour' FROM generate_series(1, 20000)`,
      [purchase.id],
    );
    await db.dataSource.query('ANALYZE operator_notices');
    const claims = () => statementStats(db.dataSource, '%UPDATE operator_notices n SET attempts%');
    const table = await db.dataSource.query<{ pages: number }[]>(`SELECT relpages AS pages FROM pg_class WHERE relname = 'operator_notices'`);
    expect(table[0].pages).toBeGreaterThan(100);

    const s = sender();
    expect(await s.sendDue()).toBe(0); // the statement is prepared on its connection
    const before = await claims();
    for (let i = 0; i < 5; i++) expect(await s.sendDue()).toBe(0);
    const after = await claims();
    expect(after.calls - before.calls).toBe(5);
    expect((after.blocks - before.blocks) / 5).toBeLessThan(10);
  });

  it('never logs the bot token or a hotspot password', () => {
    const log = lines.join('\n');
    expect(log).toContain('telegram message sent');
    expect(log).not.toContain('AAHsecretNoticeBotToken');
    expect(log).not.toContain(HOTSPOT_PASSWORD);
  });
});
