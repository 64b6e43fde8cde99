import { RouterOsClient, type RouterConnection } from '../../../activities/routeros/client';
import { RouterOsError } from '../../../activities/routeros/errors';
import { HotspotOperations } from '../../../activities/routeros/hotspot';
import type { HotspotUserInput } from '../../../activities/routeros/hotspot-words';
import { startRouterSimulator, type RouterSimulator } from '../../../sandbox/routeros/simulator';
import { MENU } from '../../../sandbox/routeros/state';
import { CLIENT_OPTIONS, commandsSent, routerOf } from './helpers';

const MAC = 'AA:BB:CC:00:00:01';
const TAG = /^\.tag=/;

async function failure(call: Promise<unknown>): Promise<RouterOsError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RouterOsError)) throw new Error(`expected a RouterOsError, got ${String(error)}`);
  return error;
}

/** The words of each command sent, tag and login left out. */
const sent = (sim: RouterSimulator) => commandsSent(sim).map((words) => words.filter((w) => !TAG.test(w)));

// v7 routers are modelled with a session that shows a moment after the login, so the confirmation has to poll.
describe.each([
  { version: '6.49.10', loginSettleMs: 0 },
  { version: '7.18', loginSettleMs: 150 },
])('HotspotOperations on RouterOS $version', ({ version, loginSettleMs }) => {
  let sim: RouterSimulator;
  let client: RouterOsClient;
  let hotspot: HotspotOperations;
  let router: RouterConnection;

  const user = (overrides: Partial<HotspotUserInput> = {}): HotspotUserInput => ({
    name: 'PT-AB123',
    password: '1234',
    profile: '1d-5M',
    comment: 'pagos:purchase-1',
    disabled: false,
    ...overrides,
  });
  const simUser = (name: string) => sim.state.list(MENU.user).find((u) => u.name === name);
  const ours = { name: 'PT-AB123', comment: 'pagos:purchase-1' };
  const device = (overrides: { password?: string; mac?: string; ip?: string }) => ({
    username: 'PT-AB123',
    password: '1234',
    ...overrides,
  });

  beforeEach(async () => {
    sim = await startRouterSimulator({ version, loginSettleMs });
    client = new RouterOsClient(CLIENT_OPTIONS);
    hotspot = new HotspotOperations(client, { loginConfirmMs: 2000, loginPollMs: 20 });
    router = routerOf(sim);
  });

  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  it('reads the identity and version', async () => {
    const majorVersion = Number(version.split('.')[0]);
    expect(await hotspot.identity(router)).toEqual({ name: 'MikroTik', version, majorVersion });
  });

  it('lists the hotspot profiles with every field filled', async () => {
    const profiles = await hotspot.listProfiles(router);
    expect(profiles.map((p) => p.name)).toEqual(['default', '1h-2M', '1d-5M', '1w-10M']);
    expect(profiles[2]).toEqual({
      id: '*2',
      name: '1d-5M',
      rateLimit: '5M/5M',
      sessionTimeout: '1d',
      idleTimeout: '30m',
      keepaliveTimeout: '2m',
      statusAutorefresh: '1m',
      sharedUsers: '1',
      addressList: 'paid',
      macCookieTimeout: '1d',
      addMacCookie: true,
    });
    expect(profiles[1]).toMatchObject({
      rateLimit: '2M/2M',
      macCookieTimeout: null,
      addMacCookie: false,
      addressList: null,
    });
  });

  describe('createUser', () => {
    it('creates the user in exactly one round trip', async () => {
      const result = await hotspot.createUser(router, user({ limitUptimeSeconds: 5400, disabled: true }));
      expect(result).toEqual({ ref: '*1', created: true });
      expect(sent(sim)).toEqual([
        [
          '/ip/hotspot/user/add',
          '=name=PT-AB123',
          '=password=1234',
          '=profile=1d-5M',
          '=limit-uptime=1h30m',
          '=comment=pagos:purchase-1',
          '=disabled=yes',
        ],
      ]);
      expect(simUser('PT-AB123')).toMatchObject({
        '.id': '*1',
        password: '1234',
        'limit-uptime': '1h30m',
        disabled: 'true',
      });
    });

    it('creates a PIN user without a password', async () => {
      await hotspot.createUser(router, user({ password: '' }));
      expect(simUser('PT-AB123')).not.toHaveProperty('password');
    });

    it('succeeds without creating again when the user exists with our tag', async () => {
      const first = await hotspot.createUser(router, user());
      expect(await hotspot.createUser(router, user())).toEqual({ ref: first.ref, created: false });
      expect(sent(sim).map((words) => words[0])).toEqual([
        '/ip/hotspot/user/add',
        '/ip/hotspot/user/add',
        '/ip/hotspot/user/print',
      ]);
    });

    it('reports a conflict, final, when the name belongs to someone else', async () => {
      sim.state.add(MENU.user, { name: 'PT-AB123', password: '9999', comment: 'voucher batch 7' });
      const error = await failure(hotspot.createUser(router, user()));
      expect(error).toMatchObject({ kind: 'already_exists', code: 'HOTSPOT_USER_CONFLICT', retryable: false });
      expect(simUser('PT-AB123')).toMatchObject({ password: '9999', comment: 'voucher batch 7' });
    });

    it('reads the id back when add answers without ret', async () => {
      sim.state.omitAddRet = true;
      expect(await hotspot.createUser(router, user())).toEqual({ ref: '*1', created: true });
      expect(sent(sim).map((words) => words[0])).toEqual(['/ip/hotspot/user/add', '/ip/hotspot/user/print']);
    });

    it('rejects a profile the router does not have', async () => {
      expect(await failure(hotspot.createUser(router, user({ profile: 'gone' })))).toMatchObject({
        kind: 'invalid_argument',
        details: { trap: 'input does not match any value of profile' },
      });
    });

    it('is safe to retry after the connection dropped mid-reply: the retry finds the user already made', async () => {
      await sim.setFaults({ dropNextCommands: 1 });
      expect(await failure(hotspot.createUser(router, user()))).toMatchObject({ kind: 'unreachable', retryable: true });
      expect(await hotspot.createUser(router, user())).toEqual({ ref: '*1', created: false });
      expect(sim.stats.connections).toBe(2);
    });

    it('lets an unexplained router failure be retried', async () => {
      await sim.setFaults({ trapNextCommands: 1 });
      expect(await failure(hotspot.createUser(router, user()))).toMatchObject({ kind: 'unknown', retryable: true });
      expect(await hotspot.createUser(router, user())).toEqual({ ref: '*1', created: true });
    });

    it('runs 50 concurrent creations on one router, bounded, all completed', async () => {
      await sim.setFaults({ delayMs: 10 });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          hotspot.createUser(router, user({ name: `PT-${i}`, comment: `pagos:${i}` })),
        ),
      );
      expect(results.every((r) => r.created)).toBe(true);
      expect(new Set(results.map((r) => r.ref)).size).toBe(50);
      expect(sim.stats.maxInFlight).toBeLessThanOrEqual(CLIENT_OPTIONS.maxConcurrentPerRouter);
      expect(sim.stats.connections).toBe(1);
    });
  });

  describe('users', () => {
    it('finds a user by name with .proplist, or null', async () => {
      await hotspot.createUser(router, user());
      expect(await hotspot.findUser(router, 'PT-AB123')).toEqual({
        ref: '*1',
        name: 'PT-AB123',
        server: 'all',
        profile: '1d-5M',
        disabled: false,
        comment: 'pagos:purchase-1',
        limitUptime: null,
        uptime: '0s',
        macAddress: null,
      });
      expect(await hotspot.findUser(router, 'PT-NONE')).toBeNull();
      const proplist = '=.proplist=.id,name,server,profile,disabled,comment,limit-uptime,uptime,mac-address';
      expect(sent(sim).slice(1)).toEqual([
        ['/ip/hotspot/user/print', proplist, '?name=PT-AB123'],
        ['/ip/hotspot/user/print', proplist, '?name=PT-NONE'],
      ]);
    });

    it('enables a user by its ref in one round trip, with limit-uptime', async () => {
      const { ref } = await hotspot.createUser(router, user({ disabled: true }));
      sim.resetLog();
      const oneDay = { limitUptimeSeconds: 86400 };
      const result = await hotspot.setUserEnabled(router, { ref, name: 'PT-AB123' }, true, oneDay);
      expect(result).toEqual({ ref });
      expect(sent(sim)).toEqual([['/ip/hotspot/user/set', `=.id=${ref}`, '=disabled=no', '=limit-uptime=1d']]);
      expect(simUser('PT-AB123')).toMatchObject({ disabled: 'false', 'limit-uptime': '1d' });
    });

    it('falls back to the name when the ref is stale, or missing', async () => {
      const { ref } = await hotspot.createUser(router, user());
      expect(await hotspot.setUserEnabled(router, { ref: '*99', name: 'PT-AB123' }, false)).toEqual({ ref });
      expect(await hotspot.setUserEnabled(router, { name: 'PT-AB123' }, true)).toEqual({ ref });
      expect(simUser('PT-AB123')).toMatchObject({ disabled: 'false' });
    });

    it('says ROUTER_NOT_FOUND (final) when the user does not exist', async () => {
      expect(await failure(hotspot.setUserEnabled(router, { ref: '*5', name: 'PT-NONE' }, true))).toMatchObject({
        kind: 'not_found',
        code: 'ROUTER_NOT_FOUND',
        retryable: false,
      });
    });

    it('removes a user by name; removing a missing one succeeds', async () => {
      await hotspot.createUser(router, user());
      expect(await hotspot.removeUser(router, ours)).toEqual({ removed: true });
      expect(simUser('PT-AB123')).toBeUndefined();
      expect(await hotspot.removeUser(router, { name: 'PT-AB123' })).toEqual({ removed: false });
    });

    it('leaves a user with someone else’s tag alone', async () => {
      sim.state.add(MENU.user, { name: 'PT-AB123', comment: 'voucher batch 7' });
      expect(await hotspot.removeUser(router, ours)).toEqual({ removed: false });
      expect(simUser('PT-AB123')).toBeDefined();
    });

    it('tags a user made elsewhere by its ref, in one round trip', async () => {
      const ref = sim.state.add(MENU.user, { name: 'PT-OLD01', password: '4821', profile: '1h-2M' });
      sim.resetLog();
      await hotspot.setUserComment(router, ref, 'pagos:purchase-9');
      expect(simUser('PT-OLD01')).toMatchObject({ comment: 'pagos:purchase-9', password: '4821', profile: '1h-2M' });
      expect(sent(sim)).toEqual([['/ip/hotspot/user/set', `=.id=${ref}`, '=comment=pagos:purchase-9']]);
    });

    it('lists our users by comment prefix for reconciliation', async () => {
      await hotspot.createUser(router, user({ name: 'PT-1', comment: 'pagos:1' }));
      await hotspot.createUser(router, user({ name: 'PT-2', comment: 'pagos:2' }));
      sim.state.add(MENU.user, { name: 'manual', comment: 'operator' });
      expect((await hotspot.listUsersByComment(router, 'pagos:')).map((u) => u.name)).toEqual(['PT-1', 'PT-2']);
    });
  });

  describe('devices', () => {
    beforeEach(async () => {
      await hotspot.createUser(router, user());
      sim.attachDevice(MAC, '10.5.50.10', { toAddress: '10.5.50.210' });
    });

    it('finds a device by MAC, preferring to-address', async () => {
      expect(await hotspot.findHostByMac(router, 'aa-bb-cc-00-00-01')).toEqual({
        ref: '*1',
        macAddress: MAC,
        address: '10.5.50.10',
        toAddress: '10.5.50.210',
        ip: '10.5.50.210',
        authorized: false,
      });
      expect(await hotspot.findHostByMac(router, 'AA:BB:CC:00:00:99')).toBeNull();
    });

    it('logs a device in from its MAC alone and confirms the session', async () => {
      const result = await hotspot.loginDevice(router, device({ mac: 'aa:bb:cc:00:00:01' }));
      const [session] = sim.state.list(MENU.active);
      expect(result).toEqual({ loggedIn: true, ip: '10.5.50.210', mac: MAC, sessionRef: session['.id'] });
      expect(sent(sim)).toContainEqual([
        '/ip/hotspot/active/login',
        '=user=PT-AB123',
        '=password=1234',
        '=ip=10.5.50.210',
        `=mac-address=${MAC}`,
      ]);
    });

    it('logs a device in by IP, and counts "already logged in" as success', async () => {
      const first = await hotspot.loginDevice(router, device({ ip: '10.5.50.10' }));
      expect(first).toMatchObject({ loggedIn: true, ip: '10.5.50.10' });
      expect(await hotspot.loginDevice(router, device({ ip: '10.5.50.10' }))).toEqual(first);
      expect(sim.state.list(MENU.active)).toHaveLength(1);
    });

    it('moves a device logged in as another user to this one only when asked (by MAC, or by IP alone)', async () => {
      await hotspot.createUser(router, user({ name: 'PT-OLD01', comment: 'pagos:purchase-0' }));
      for (const address of [{ mac: MAC }, { ip: '10.5.50.10' }]) {
        await hotspot.loginDevice(router, { username: 'PT-OLD01', password: '1234', mac: MAC });
        expect(await hotspot.loginDevice(router, device(address))).toMatchObject({ loggedIn: false, reason: 'timeout' });
        expect(sim.state.list(MENU.active)).toEqual([expect.objectContaining({ user: 'PT-OLD01' })]);

        const moved = await hotspot.loginDevice(router, { ...device(address), replaceSession: true });
        expect(moved).toMatchObject({ loggedIn: true, replacedUser: 'PT-OLD01' });
        expect(sim.state.list(MENU.active)).toEqual([expect.objectContaining({ user: 'PT-AB123', 'mac-address': MAC })]);
        // Already this user's: nothing to replace.
        expect(await hotspot.loginDevice(router, { ...device(address), replaceSession: true })).toEqual({ ...moved, replacedUser: undefined });
        await hotspot.endSessions(router, 'PT-AB123');
      }
    });

    it('reports refusals as results: wrong password, disabled user, unknown device', async () => {
      expect(await hotspot.loginDevice(router, device({ password: '0000', mac: MAC }))).toMatchObject({
        loggedIn: false,
        reason: 'login_failed',
        error: 'invalid username or password',
      });
      await hotspot.setUserEnabled(router, { name: 'PT-AB123' }, false);
      expect(await hotspot.loginDevice(router, device({ mac: MAC }))).toMatchObject({
        loggedIn: false,
        reason: 'login_failed',
      });
      expect(await hotspot.loginDevice(router, device({ mac: 'AA:BB:CC:00:00:99' }))).toEqual({
        loggedIn: false,
        mac: 'AA:BB:CC:00:00:99',
        reason: 'no_host',
        error: 'the device is not in the hotspot host table',
      });
    });

    it('gives up, bounded, when the session never shows', async () => {
      sim.state.loginSettleMs = 60_000;
      const quick = new HotspotOperations(client, { loginConfirmMs: 100, loginPollMs: 20 });
      expect(await quick.loginDevice(router, device({ mac: MAC }))).toMatchObject({
        loggedIn: false,
        reason: 'timeout',
      });
    });

    it('ends sessions and removes cookies until nothing of the user is left', async () => {
      await hotspot.loginDevice(router, device({ mac: MAC }));
      const traces = { user: true, sessions: 1, cookies: 1, gone: false };
      expect(await hotspot.confirmUserGone(router, 'PT-AB123')).toEqual(traces);
      expect(await hotspot.removeUser(router, { name: 'PT-AB123' })).toEqual({ removed: true });
      expect(await hotspot.removeCookies(router, 'PT-AB123')).toBe(1);
      expect(await hotspot.endSessions(router, 'PT-AB123')).toBe(1);
      expect(await hotspot.endSessions(router, 'PT-AB123')).toBe(0);
      const none = { user: false, sessions: 0, cookies: 0, gone: true };
      expect(await hotspot.confirmUserGone(router, 'PT-AB123')).toEqual(none);
      expect(sim.state.list(MENU.host)[0]).toMatchObject({ authorized: 'false' });
    });
  });

  it('sends no full-table print on the purchase and expiry paths: only ?name= / ?user= lookups', async () => {
    sim.attachDevice(MAC, '10.5.50.10');
    const { ref } = await hotspot.createUser(router, user({ disabled: true }));
    await hotspot.createUser(router, user({ disabled: true }));
    await hotspot.setUserEnabled(router, { ref, name: 'PT-AB123' }, true);
    await hotspot.setUserEnabled(router, { ref: '*99', name: 'PT-AB123' }, true);
    await hotspot.findUser(router, 'PT-AB123');
    await hotspot.loginDevice(router, device({ mac: MAC }));
    await hotspot.removeUser(router, ours);
    await hotspot.removeCookies(router, 'PT-AB123');
    await hotspot.endSessions(router, 'PT-AB123');
    await hotspot.confirmUserGone(router, 'PT-AB123');

    expect(sim.stats.fullTablePrints).toEqual({});
    const prints = sent(sim).filter((words) => words[0].endsWith('/print'));
    expect(prints.length).toBeGreaterThan(5);
    for (const words of prints) expect(words.some((w) => w.startsWith('?'))).toBe(true);
    for (const words of prints.filter((w) => w[0] === '/ip/hotspot/user/print')) {
      expect(words.slice(1, 3)).toEqual([expect.stringMatching(/^=\.proplist=/), '?name=PT-AB123']);
    }
  });

  describe('rejects malicious or malformed values before a single word is sent', () => {
    const cases: Array<[string, (h: HotspotOperations, r: RouterConnection) => Promise<unknown>]> = [
      ['a user name with a command', (h, r) => h.createUser(r, user({ name: 'PT-1"; /system reset-configuration' }))],
      ['a user name that is a query word', (h, r) => h.findUser(r, '?name=admin')],
      ['an empty user name', (h, r) => h.findUser(r, '')],
      ['a password with script syntax', (h, r) => h.createUser(r, user({ password: '$(/system reboot)' }))],
      ['a profile with an attribute', (h, r) => h.createUser(r, user({ profile: 'default =disabled=no' }))],
      ['a comment with a line break', (h, r) => h.createUser(r, user({ comment: 'a\n/quit' }))],
      ['a negative limit-uptime', (h, r) => h.createUser(r, user({ limitUptimeSeconds: -1 }))],
      ['a fractional limit-uptime', (h, r) => h.setUserEnabled(r, { name: 'PT-1' }, true, { limitUptimeSeconds: 1.5 })],
      ['a ref with a command', (h, r) => h.setUserEnabled(r, { ref: '*1;/quit', name: 'PT-1' }, true)],
      ['a tag with a line break', (h, r) => h.setUserComment(r, '*1', 'pagos:1\n/quit')],
      ['a ref to tag that is not a ref', (h, r) => h.setUserComment(r, 'PT-1', 'pagos:1')],
      ['a user name to remove with a space', (h, r) => h.removeUser(r, { name: 'PT 1' })],
      ['a session owner with a quote', (h, r) => h.endSessions(r, 'PT-1"')],
      ['a MAC with a script', (h, r) => h.findHostByMac(r, 'AA:BB:CC:DD:EE:FF; /system script run 0')],
      ['a MAC too short', (h, r) => h.loginDevice(r, { username: 'PT-1', mac: 'AA:BB:CC:DD:EE' })],
      ['a MAC interpolation', (h, r) => h.loginDevice(r, { username: 'PT-1', mac: '$(mac)' })],
      ['an IP with an extra word', (h, r) => h.loginDevice(r, { username: 'PT-1', ip: '10.0.0.1 =user=admin' })],
      ['an IP out of range', (h, r) => h.loginDevice(r, { username: 'PT-1', ip: '999.1.1.1' })],
      ['a device with neither MAC nor IP', (h, r) => h.loginDevice(r, { username: 'PT-1' })],
      ['a comment prefix with a control character', (h, r) => h.listUsersByComment(r, '\u0000')],
    ];

    it.each(cases)('%s', async (_, call) => {
      expect(await failure(call(hotspot, router))).toMatchObject({
        kind: 'invalid_argument',
        code: 'ROUTER_INVALID_ARGUMENT',
        retryable: false,
      });
      expect(sim.log).toEqual([]);
      expect(sim.stats.connections).toBe(0);
    });
  });
});
