import { randomBytes } from 'node:crypto';
import { DomainError } from '../../domain/errors';
import { buy, purchase, routerUser, statusTrail, waitForStatus } from '../helpers/purchases';
import { startStack, type TestStack } from '../helpers/stack';

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
});
