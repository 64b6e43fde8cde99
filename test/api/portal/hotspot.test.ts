import { createPurchase } from '../admin/support';
import { setupPortalTest, type PortalTest } from './support';

/**
 * Wrong hotspot credentials are throttled per username and per device: every customer of a hotspot reaches the API
 * from the hotspot's one public IP, so a per-IP limit alone would lock them all out after a few typos.
 */
describe('returning devices: throttling of wrong credentials', () => {
  let s: PortalTest;
  const HOTSPOT_IP = '198.51.100.7';
  beforeAll(async () => {
    s = await setupPortalTest();
  });
  afterAll(() => s.close());

  const profileInfo = (username: string, ip = HOTSPOT_IP) =>
    s.t.app.inject({
      method: 'POST',
      url: '/api/v1/hotspot/user/profile-info',
      headers: { 'x-api-key': s.key },
      remoteAddress: ip,
      payload: { username, password: '1234' },
    });
  const reconnect = (username: string, mac: string, ip = HOTSPOT_IP) =>
    s.t.app.inject({
      method: 'POST',
      url: '/api/v1/hotspot/auto-reconnect',
      headers: { 'x-api-key': s.key },
      remoteAddress: ip,
      payload: { username, password: '1234', current_mac: mac },
    });
  const statuses = async (calls: (() => Promise<{ statusCode: number }>)[]) => {
    const codes: number[] = [];
    for (const call of calls) codes.push((await call()).statusCode);
    return codes;
  };

  it('makes a username wait after 10 wrong tries, while the other customers behind the same IP go on', async () => {
    const tries = await statuses(Array.from({ length: 11 }, () => () => profileInfo('PT-AAAAA')));
    expect(tries).toEqual([...Array(10).fill(200), 429]);
    const limited = await profileInfo('PT-AAAAA');
    expect(limited.json()).toEqual({ detail: expect.stringMatching(/^Demasiados intentos fallidos/) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    expect((await profileInfo('PT-BBBBB')).statusCode).toBe(200);
    expect((await reconnect('PT-BBBBC', 'AA:BB:CC:00:00:01')).statusCode).toBe(200);
  });

  it('makes a device (MAC) wait after 10 wrong tries, whatever usernames it tries and wherever from', async () => {
    const mac = 'AA:BB:CC:00:00:02';
    const tries = await statuses(Array.from({ length: 11 }, (_, i) => () => reconnect(`PT-M${1000 + i}`, mac, `203.0.113.${i}`)));
    expect(tries).toEqual([...Array(10).fill(200), 429]);
    expect((await reconnect('PT-M2000', mac.toLowerCase().replace(/:/g, '-'), '203.0.113.99')).statusCode).toBe(429);
    expect((await reconnect('PT-M2000', 'AA:BB:CC:00:00:03')).statusCode).toBe(200);
  });

  it('still bounds one client IP, with a ceiling far above one hotspot’s typos', async () => {
    const ip = '192.0.2.200';
    const tries = await statuses(Array.from({ length: 101 }, (_, i) => () => profileInfo(`PT-${10000 + i}`, ip)));
    expect(tries.slice(0, 100).every((code) => code === 200)).toBe(true);
    expect(tries[100]).toBe(429);
    expect((await profileInfo('PT-99999', '192.0.2.201')).statusCode).toBe(200);
  });
});

describe('returning devices: what a valid access shows', () => {
  let s: PortalTest;
  beforeAll(async () => {
    s = await setupPortalTest();
  });
  afterAll(() => s.close());

  it('shows its uptime limit in RouterOS notation, as the router holds it (8 days as 1w1d)', async () => {
    const access = await createPurchase(s.db.dataSource, s.router, null, {
      userType: 'usuario_contrasena',
      hotspotPasswordEncrypted: s.t.deps.secrets.encrypt('4821'),
      uptimeLimitSeconds: 8 * 86_400 + 90,
    });
    const info = await s.t.app.inject({
      method: 'POST',
      url: '/api/v1/hotspot/user/profile-info',
      headers: { 'x-api-key': s.key },
      payload: { username: access.hotspotUsername, password: '4821' },
    });
    expect(info.json()).toMatchObject({ success: true, estado: 'ok', limit_uptime: '1w1d1m30s' });
  });
});
