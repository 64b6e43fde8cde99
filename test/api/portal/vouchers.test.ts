import { setupPortalTest, type PortalTest } from './support';

/**
 * Guessing voucher codes is throttled per router and device (its MAC, else the client IP) and per router: the numbers
 * that make guessing a 12-digit PIN hopeless (docs/vouchers.md).
 */
describe('voucher redemption: throttling', () => {
  let s: PortalTest;
  beforeAll(async () => {
    s = await setupPortalTest({ RATE_LIMIT_VOUCHERS_PER_DEVICE_PER_MINUTE: '3', RATE_LIMIT_VOUCHERS_PER_ROUTER_PER_MINUTE: '5' });
  });
  afterAll(() => s.close());

  const redeem = (body: Record<string, unknown>, ip = '198.51.100.9') =>
    s.t.app.inject({ method: 'POST', url: '/api/v1/vouchers/canjear', headers: { 'x-api-key': s.key }, remoteAddress: ip, payload: body });
  const statuses = async (calls: (() => Promise<{ statusCode: number }>)[]) => {
    const codes: number[] = [];
    for (const call of calls) codes.push((await call()).statusCode);
    return codes;
  };

  it('makes a device wait after its tries, then the whole router after its own', async () => {
    const guess = (mac?: string) => () => redeem({ codigo: String(Math.floor(Math.random() * 1e12)).padStart(12, '0'), ...(mac ? { mac_cliente: mac } : {}) });
    expect(await statuses([guess('AA:BB:CC:00:00:01'), guess('AA:BB:CC:00:00:01'), guess('AA:BB:CC:00:00:01'), guess('AA:BB:CC:00:00:01')])).toEqual([
      404, 404, 404, 429,
    ]);
    const waiting = await redeem({ codigo: '123412341234', mac_cliente: 'AA:BB:CC:00:00:01' });
    expect(waiting.json().detail).toMatch(/^Demasiadas solicitudes\. Intente de nuevo en \d+ segundos\.$/);
    expect(Number(waiting.headers['retry-after'])).toBeGreaterThan(0);
    // Another device of the same router goes on, until the router's own limit (5 a minute, 3 spent above).
    expect(await statuses([guess('AA:BB:CC:00:00:02'), guess(), guess('AA:BB:CC:00:00:03')])).toEqual([404, 404, 429]);
  });
});
