import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { startHttpView, type HttpView } from '../../../sandbox/routeros/http-view';
import { startRouterSimulator, type RouterSimulator } from '../../../sandbox/routeros/simulator';
import { MENU } from '../../../sandbox/routeros/state';
import { RawClient, rows } from './raw-client';
import { waitFor } from './wait-for';

const MAC = 'AA:BB:CC:00:00:01';

describe('RouterOS simulator', () => {
  let sim: RouterSimulator;
  const clients: RawClient[] = [];
  const login = async (user = 'admin', password = 'admin') => {
    const client = await RawClient.login(sim.port, user, password);
    clients.push(client);
    return client;
  };
  const addUser = (client: RawClient, name: string, ...extra: string[]) =>
    client.call(['/ip/hotspot/user/add', `=name=${name}`, '=password=pw', ...extra]);

  beforeEach(async () => {
    sim = await startRouterSimulator({ version: '7.18' });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await sim.close();
  });

  describe('login and framing', () => {
    it('accepts a 6.43+ login and refuses a wrong password with the router text', async () => {
      const client = await login();
      const refused = await client.call(['/login', '=name=admin', '=password=nope']);
      expect(refused).toEqual([['!trap', '=message=invalid user name or password (6)'], ['!done']]);
      expect(sim.stats).toMatchObject({ logins: 1, failedLogins: 1 });
    });

    it('answers legacy challenge logins below 6.43', async () => {
      sim.state.version = '6.42.12';
      const client = await RawClient.open(sim.port);
      clients.push(client);
      const [challenge] = await client.call(['/login', '=name=admin', '=password=admin']);
      const ret = challenge.find((w) => w.startsWith('=ret='))!.slice(5);
      const digest = createHash('md5')
        .update(Buffer.concat([Buffer.from([0]), Buffer.from('admin'), Buffer.from(ret, 'hex')]))
        .digest('hex');
      expect(await client.call(['/login', '=name=admin', `=response=00${digest}`])).toEqual([['!done']]);
      expect(await client.call(['/system/identity/print'])).toEqual([['!re', '=name=MikroTik'], ['!done']]);
    });

    it('ends the session with !fatal for a command before login', async () => {
      const client = await RawClient.open(sim.port);
      clients.push(client);
      client.send(['/ip/hotspot/user/print']);
      await client.until(() => client.closed);
      expect(client.received).toEqual([['!fatal', 'not logged in']]);
    });

    it('tags every reply sentence and sends a reply in one write', async () => {
      const client = await login();
      await addUser(client, 'a');
      await addUser(client, 'b');
      const chunksBefore = client.chunks;
      const start = client.received.length;
      await client.call(['/ip/hotspot/user/print', '=.proplist=name'], 'T1');
      expect(client.received.slice(start)).toEqual([
        ['!re', '=name=a', '.tag=T1'],
        ['!re', '=name=b', '.tag=T1'],
        ['!done', '.tag=T1'],
      ]);
      expect(client.chunks - chunksBefore).toBe(1);
      const trap = await client.call(['/ip/hotspot/user/remove', '=.id=*99'], 'T2');
      expect(trap).toEqual([['!trap', '=category=0', '=message=no such item'], ['!done']]);
    });

    it('carries words with 1- to 4-byte length prefixes', async () => {
      const client = await login();
      const long = 'x'.repeat(0x200001);
      await addUser(client, 'big', `=comment=${long}`);
      const [user] = rows(await client.call(['/ip/hotspot/user/print', '?name=big']));
      expect(user.comment).toBe(long);
    });

    it('logs every sentence received, with the API password hidden', async () => {
      await login();
      const words = ['/login', '=name=admin', '=password=***', expect.stringMatching(/^\.tag=/)];
      expect(sim.log).toEqual([expect.objectContaining({ connection: 1, words })]);
    });
  });

  describe('commands', () => {
    it('adds a user and returns its .id as ret', async () => {
      const client = await login();
      const extra = ['=profile=1h-2M', '=limit-uptime=5400', '=comment=p:1', '=disabled=yes'];
      const reply = await addUser(client, 'alice', ...extra);
      expect(reply).toEqual([['!done', '=ret=*1']]);
      expect(sim.state.list(MENU.user)).toEqual([
        expect.objectContaining({
          '.id': '*1',
          name: 'alice',
          profile: '1h-2M',
          'limit-uptime': '1h30m',
          comment: 'p:1',
          disabled: 'true',
          server: 'all',
        }),
      ]);
    });

    it('gives the real router errors', async () => {
      const client = await login();
      await addUser(client, 'alice');
      expect(await addUser(client, 'alice')).toEqual([
        ['!trap', '=category=1', '=message=failure: already have user with this name for this server'],
        ['!done'],
      ]);
      const missingProfile = await addUser(client, 'bob', '=profile=missing');
      expect(missingProfile[0]).toContain('=message=input does not match any value of profile');
      const missingItem = await client.call(['/ip/hotspot/user/set', '=.id=*77', '=disabled=no']);
      expect(missingItem[0]).toContain('=message=no such item');
      expect((await client.call(['/ip/hotspot/walled-garden-x/print']))[0]).toContain('=message=no such command prefix');
    });

    it('answers an empty print with !empty from 7.18 on, and with a bare !done before', async () => {
      const client = await login();
      expect(await client.call(['/ip/hotspot/user/print', '?name=nobody'])).toEqual([['!empty'], ['!done']]);
      sim.state.version = '7.17';
      expect(await client.call(['/ip/hotspot/user/print', '?name=nobody'])).toEqual([['!done']]);
    });

    it('filters prints by ANDed queries, presence, the ?# stack and .proplist', async () => {
      const client = await login();
      await addUser(client, 'a', '=comment=x', '=profile=1h-2M');
      await addUser(client, 'b', '=comment=x');
      await addUser(client, 'c');
      const names = async (...words: string[]) =>
        rows(await client.call(['/ip/hotspot/user/print', '=.proplist=name', ...words])).map((r) => r.name);
      expect(await names('?comment=x', '?profile=default')).toEqual(['b']);
      expect(await names('?comment')).toEqual(['a', 'b']);
      expect(await names('?-comment')).toEqual(['c']);
      expect(await names('?name=a', '?name=c', '?#|')).toEqual(['a', 'c']);
      const reply = await client.call(['/ip/hotspot/user/print', '=.proplist=.id,name', '?name=c']);
      expect(rows(reply)).toEqual([{ '.id': '*3', name: 'c' }]);
    });

    it('sets, enables, disables and removes by .id, numbers lists and name', async () => {
      const client = await login();
      await addUser(client, 'a');
      await addUser(client, 'b');
      await client.call(['/ip/hotspot/user/disable', '=numbers=*1,b']);
      expect(sim.state.list(MENU.user).map((u) => u.disabled)).toEqual(['true', 'true']);
      await client.call(['/ip/hotspot/user/set', '=.id=*2', '=disabled=no', '=limit-uptime=1d']);
      expect(sim.state.list(MENU.user)[1]).toMatchObject({ disabled: 'false', 'limit-uptime': '1d' });
      await client.call(['/ip/hotspot/user/remove', '=numbers=*1,*2']);
      expect(sim.state.list(MENU.user)).toEqual([]);
    });

    it('reports identity and a version-shaped resource', async () => {
      sim.state.version = '6.49.10';
      const client = await login();
      const [resource] = rows(await client.call(['/system/resource/print', '=.proplist=version,build-time']));
      expect(resource).toEqual({ version: '6.49.10 (long-term)', 'build-time': 'Feb/24/2025 10:47:04' });
    });
  });

  describe('hotspot login', () => {
    const loginDevice = (client: RawClient, ...words: string[]) => client.call(['/ip/hotspot/active/login', ...words]);

    it('logs an attached device in: session, authorized host and MAC cookie', async () => {
      const client = await login();
      await addUser(client, 'alice', '=profile=1d-5M');
      sim.attachDevice('aa-bb-cc-00-00-01', '10.5.50.10', { toAddress: '10.5.50.200' });
      const reply = await loginDevice(client, '=user=alice', '=password=pw', '=ip=10.5.50.200', `=mac-address=${MAC}`);
      expect(reply).toEqual([['!done']]);
      const session = { user: 'alice', address: '10.5.50.10', 'to-address': '10.5.50.200', 'mac-address': MAC };
      expect(sim.state.list(MENU.active)).toEqual([expect.objectContaining(session)]);
      expect(sim.state.list(MENU.host)[0]).toMatchObject({ authorized: 'true' });
      const cookie = { user: 'alice', 'mac-address': MAC, 'expires-in': '1d' };
      expect(sim.state.list(MENU.cookie)).toEqual([expect.objectContaining(cookie)]);
      const again = await loginDevice(client, '=user=alice', '=password=pw', '=ip=10.5.50.10');
      expect(again[0]).toContain('=message=already logged in');
    });

    it('refuses unknown devices, wrong passwords, disabled users and a wrong MAC', async () => {
      const client = await login();
      await addUser(client, 'alice');
      await addUser(client, 'off', '=disabled=yes');
      sim.attachDevice(MAC, '10.5.50.10');
      const message = async (...words: string[]) =>
        (await loginDevice(client, ...words))[0].find((w) => w.startsWith('=message='));
      expect(await message('=user=alice', '=password=pw', '=ip=10.5.50.99')).toBe(
        '=message=unknown host IP 10.5.50.99',
      );
      expect(await message('=user=alice', '=password=bad', '=ip=10.5.50.10')).toBe(
        '=message=invalid username or password',
      );
      expect(await message('=user=off', '=password=pw', '=ip=10.5.50.10')).toBe('=message=user off is disabled');
      expect(await message('=user=alice', '=password=pw', '=ip=10.5.50.10', '=mac-address=AA:BB:CC:00:00:02')).toBe(
        '=message=wrong MAC provided',
      );
      expect(sim.state.list(MENU.active)).toEqual([]);
    });

    it('shows a new session only after loginSettleMs', async () => {
      sim.state.loginSettleMs = 60_000;
      const client = await login();
      await addUser(client, 'alice');
      sim.attachDevice(MAC, '10.5.50.10');
      await loginDevice(client, '=user=alice', '=password=pw', '=ip=10.5.50.10');
      expect(await client.call(['/ip/hotspot/active/print', '?user=alice'])).toEqual([['!empty'], ['!done']]);
    });
  });

  describe('faults', () => {
    it('never answers while silent', async () => {
      const client = await login();
      await sim.setFaults({ silent: true });
      client.send(['/system/identity/print', '.tag=lost']);
      await waitFor(() => sim.log.length === 2);
      await sim.setFaults({ silent: false });
      await client.call(['/system/identity/print'], 'after');
      expect(client.received.some((s) => s.includes('.tag=lost'))).toBe(false);
    });

    it('answers slowly', async () => {
      const client = await login();
      await sim.setFaults({ delayMs: 150 });
      const started = Date.now();
      await client.call(['/system/identity/print']);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });

    it('runs the command, then drops the connection halfway through the reply', async () => {
      const client = await login();
      await sim.setFaults({ dropNextCommands: 1 });
      await expect(addUser(client, 'alice')).rejects.toThrow('connection closed');
      expect(sim.state.list(MENU.user).map((u) => u.name)).toEqual(['alice']);
      expect(sim.faults.dropNextCommands).toBe(0);
    });

    it('traps the next N commands', async () => {
      const client = await login();
      await sim.setFaults({ trapNextCommands: 2, trapMessage: 'failure: busy' });
      expect((await addUser(client, 'a'))[0]).toContain('=message=failure: busy');
      expect((await addUser(client, 'b'))[0]).toContain('=message=failure: busy');
      expect(await addUser(client, 'c')).toEqual([['!done', '=ret=*1']]);
    });

    it('rejects every login while rejectLogins is on', async () => {
      await sim.setFaults({ rejectLogins: true });
      const client = await RawClient.open(sim.port);
      clients.push(client);
      expect((await client.call(['/login', '=name=admin', '=password=admin']))[0]).toContain(
        '=message=invalid user name or password (6)',
      );
    });

    it('refuses connections, drops open ones, and comes back on the same port', async () => {
      const client = await login();
      const port = sim.port;
      await sim.setFaults({ refuseConnections: true });
      await client.until(() => client.closed);
      await expect(RawClient.open(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await sim.setFaults({ refuseConnections: false });
      expect(sim.port).toBe(port);
      await login();
    });
  });

  describe('inspection', () => {
    it('counts round trips, full-table prints and concurrent commands', async () => {
      const client = await login();
      await sim.setFaults({ delayMs: 50 });
      await Promise.all([addUser(client, 'a'), addUser(client, 'b'), client.call(['/ip/hotspot/user/print'])]);
      await client.call(['/ip/hotspot/user/print', '?name=a']);
      expect(sim.stats).toMatchObject({
        commands: { '/ip/hotspot/user/add': 2, '/ip/hotspot/user/print': 2 },
        fullTablePrints: { '/ip/hotspot/user': 1 },
        maxInFlight: 3,
        inFlight: 0,
      });
      sim.resetLog();
      expect(sim.log).toEqual([]);
      expect(sim.stats).toMatchObject({ commands: {}, connections: 0, openConnections: 1 });
    });

    it('runs several routers side by side, each with its own state', async () => {
      const other = await startRouterSimulator({ version: '6.49.10', users: { api: 'secret' } });
      try {
        const a = await login();
        const b = await RawClient.login(other.port, 'api', 'secret');
        clients.push(b);
        await addUser(a, 'only-on-a');
        expect(await b.call(['/ip/hotspot/user/print', '?name=only-on-a'])).toEqual([['!done']]);
        expect(other.port).not.toBe(sim.port);
      } finally {
        await other.close();
      }
    });

    it('listens on loopback only', () => {
      expect(sim.host).toBe('127.0.0.1');
    });
  });

  describe('HTTP view', () => {
    let view: HttpView;
    const http = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`http://127.0.0.1:${view.port}${path}`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    beforeEach(async () => {
      view = await startHttpView(sim);
    });
    afterEach(() => view.close());

    it('shows state, switches faults, attaches devices and sets the version', async () => {
      expect((await http('POST', '/devices', { mac: MAC, ip: '10.5.50.10' })).status).toBe(200);
      expect((await http('POST', '/faults', { delayMs: 5, silent: false })).body).toMatchObject({ delayMs: 5 });
      expect((await http('POST', '/version', { version: '6.49.10' })).body).toEqual({ version: '6.49.10' });
      const { body } = await http('GET', '/');
      expect(body).toMatchObject({
        version: '6.49.10',
        api: { port: sim.port },
        hosts: [expect.objectContaining({ 'mac-address': MAC })],
      });
      expect(body.profiles).toHaveLength(4);
    });

    it('says what was wrong with a request', async () => {
      expect(await http('POST', '/faults', { explode: true })).toEqual({
        status: 400,
        body: { error: 'unknown fault or wrong type: explode' },
      });
      expect((await http('POST', '/devices', { mac: 'nope', ip: '10.0.0.1' })).status).toBe(400);
      expect((await http('GET', '/nothing')).status).toBe(404);
    });

    it('serves the log', async () => {
      await login();
      expect((await http('GET', '/log')).body).toEqual([expect.objectContaining({ seq: 1 })]);
    });
  });

  it('drops a connection that sends a reserved control byte', async () => {
    const socket = connect(sim.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(Buffer.from([0xf9, 0x00]));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  });
});
