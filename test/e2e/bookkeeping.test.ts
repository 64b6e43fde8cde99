import { randomBytes } from 'node:crypto';
import { DomainError } from '../../domain/errors';
import { MESSAGES } from '../../domain/messages';
import { buy, chargeOf, events, purchase, routerUser, statusTrail, waitForStatus } from '../helpers/purchases';
import { eventually, startStack, type TestStack } from '../helpers/stack';

const VALIDITY_SECONDS = 6;

/**
 * The database refuses a purchase's record. Bookkeeping never holds back what moves money or access: the purchase
 * still expires on time and leaves nothing on the router; a charge that cannot be recorded is undone at once and the
 * operator told; a decline without a gateway reference is not a collision. No answer carries database text.
 */
describe('purchase records the database refuses', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack({ product: { validitySeconds: VALIDITY_SECONDS, profileName: 'default' } });
  }, 60_000);
  afterAll(() => s?.close());

  it('a history write refused for good (NUL in an extension reason) is refused quickly, and the purchase still expires on time', async () => {
    const body = (await buy(s, 'conekta')).json();
    const row = await purchase(s, body.id_compra);
    expect(row.status).toBe('active');

    // The API refuses such text at the edge; the workflow must survive it anyway (any write may be refused).
    const started = Date.now();
    const extension = await s.workflows
      .extendPurchase(row.workflowId, { actor: { userId: 1, email: 'admin@example.com' }, reason: 'a\u0000b', seconds: 3600 }, VALIDITY_SECONDS * 1000)
      .catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(VALIDITY_SECONDS * 1000);
    expect(extension).toBeInstanceOf(DomainError);
    expect(extension).toMatchObject({ code: 'CONFLICT', message: 'No se pudo registrar la extensión; no se aplicó.' });

    const expired = await waitForStatus(s, row.id, 'expired', (VALIDITY_SECONDS + 20) * 1000);
    expect(expired.expiresAt).toEqual(row.expiresAt);
    expect(expired.endedAt!.getTime() - row.expiresAt!.getTime()).toBeLessThan(5_000);
    expect(routerUser(s, row.hotspotUsername)).toBeUndefined();
    expect(s.router.state.list('/ip/hotspot/active').filter((a) => a.user === row.hotspotUsername)).toEqual([]);
    expect(await statusTrail(s, row.id)).toEqual(['created', 'charging', 'paid', 'active', 'expired']);
  }, 40_000);

  it('two Conekta declines without an order are each a 402 at once, their reference NULL', async () => {
    const declines = [];
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const response = await buy(s, 'conekta', { token: `tok_unknown_${randomBytes(6).toString('hex')}` });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(response.statusCode).toBe(402);
      declines.push(response);
    }
    const rows = await s.db.dataSource.query(
      `SELECT status, gateway_reference FROM purchases WHERE status_reason = 'conekta.errors.processing.tokenization.invalid'`,
    );
    expect(rows).toEqual([
      { status: 'declined', gateway_reference: null },
      { status: 'declined', gateway_reference: null },
    ]);
  });

  it('a charge made but not recorded is undone at once, the operator told, and the answer holds no database text', async () => {
    const email = `sin-registro-${randomBytes(4).toString('hex')}@example.com`;
    // The database refuses the charge's record as it refused a reused reference (unique violation).
    await s.db.dataSource.query(`
      CREATE OR REPLACE FUNCTION refuse_charge_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.customer_email = '${email}' AND NEW.gateway_reference IS DISTINCT FROM OLD.gateway_reference THEN
          RAISE EXCEPTION 'duplicate key value violates unique constraint "purchases_gateway_reference_key"' USING ERRCODE = '23505';
        END IF;
        RETURN NEW;
      END $$`);
    await s.db.dataSource.query(
      `CREATE TRIGGER refuse_charge_record BEFORE UPDATE ON purchases FOR EACH ROW EXECUTE FUNCTION refuse_charge_record()`,
    );
    try {
      const started = Date.now();
      const response = await buy(s, 'conekta', { body: { email_cliente: email } });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ detail: MESSAGES.chargeNotRecorded });
      expect(response.body).not.toMatch(/duplicate|constraint|SQLSTATE|Query/i);

      const [row] = await s.db.dataSource.query(`SELECT id FROM purchases WHERE customer_email = $1`, [email]);
      const failed = await waitForStatus(s, row.id, 'failed');
      expect(failed).toMatchObject({ statusReason: 'PAYMENT_NOT_RECORDED', customerMessage: MESSAGES.chargeNotRecorded, gatewayReference: null });
      const charge = chargeOf(s, 'conekta', row.id);
      expect(s.conekta.refunds()).toContainEqual(expect.objectContaining({ chargeId: charge.id, amountCents: 2000 }));
      await eventually(() => s.telegram.messages().some((m) => m.text.includes('Cargo sin registrar') && m.text.includes(row.id)), 10_000, 'operator told');
      await eventually(() => routerUser(s, failed.hotspotUsername) === undefined, 10_000, 'user removed');
      expect((await events(s, row.id)).map((e) => e.toStatus).filter(Boolean)).toEqual(['created', 'charging', 'failed']);
      const status = await s.app.inject({ method: 'GET', url: `/api/v1/purchases/${row.id}`, headers: { 'x-api-key': s.apiKey } });
      expect(status.body).not.toMatch(/duplicate|constraint|SQLSTATE/i);
    } finally {
      await s.db.dataSource.query(`DROP TRIGGER refuse_charge_record ON purchases`);
    }
  }, 40_000);
});
