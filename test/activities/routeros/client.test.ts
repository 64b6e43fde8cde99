import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { Channel } from 'node-routeros';
import { RouterOsClient, type RouterOsClientOptions } from '../../../activities/routeros/client';
import { RouterOsError } from '../../../activities/routeros/errors';
import { patchNodeRouterOs } from '../../../activities/routeros/library-patch';
import { RouterEndpointPolicy } from '../../../shared/router-endpoints';
import { startRouterSimulator, type RouterSimulator } from '../../../sandbox/routeros/simulator';
import { encodeSentence, SentenceDecoder } from '../../../sandbox/routeros/wire';
import { waitFor } from '../../sandbox/routeros/wait-for';
import { capturingLogger, CLIENT_OPTIONS, routerOf } from './helpers';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
const IDENTITY = '/system/identity/print';

/** Resolves with the RouterOsError a call rejects with (failing the test if it resolves). */
async function failure(call: Promise<unknown>): Promise<RouterOsError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RouterOsError)) throw new Error(`expected a RouterOsError, got ${String(error)}`);
  return error;
}

describe('RouterOsClient', () => {
  let sim: RouterSimulator;
  let client: RouterOsClient;
  const newClient = (options: Partial<RouterOsClientOptions> = {}) => {
    client = new RouterOsClient({ ...CLIENT_OPTIONS, ...options });
    return client;
  };

  beforeEach(async () => {
    sim = await startRouterSimulator({ version: '7.18', users: { admin: 'admin', other: 'second' } });
    newClient();
  });

  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  it('sends commands over one pooled connection and returns rows and ret', async () => {
    const router = routerOf(sim);
    const added = await client.command(router, '/ip/hotspot/user/add', ['=name=alice', '=password=pw']);
    expect(added).toEqual([{ ret: '*1' }]);
    expect(await client.command(router, '/ip/hotspot/user/print', ['=.proplist=name,profile', '?name=alice'])).toEqual([
      { name: 'alice', profile: 'default' },
    ]);
    await Promise.all(Array.from({ length: 10 }, () => client.command(router, IDENTITY)));
    expect(sim.stats).toMatchObject({ connections: 1, logins: 1 });
  });

  it('resolves an empty print on RouterOS 7.18 (!empty) with no rows, and the connection stays usable', async () => {
    const router = routerOf(sim);
    expect(await client.command(router, '/ip/hotspot/user/print', ['?name=nobody'])).toEqual([]);
    expect(await client.command(router, IDENTITY)).toEqual([{ name: 'MikroTik' }]);
    expect(sim.stats.connections).toBe(1);
  });

  it('needs the patch: unpatched node-routeros 1.6.9 crashes the process on !empty', async () => {
    const script = `
      const { RouterOSAPI } = require('node-routeros');
      const api = new RouterOSAPI({ host: '127.0.0.1', port: ${sim.port}, user: 'admin', password: 'admin' });
      api.on('error', () => undefined);
      api.connect().then(() => api.write('/ip/hotspot/user/print', ['?name=nobody'])).then(() => process.exit(0));`;
    const outcome = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const cwd = path.join(__dirname, '../../..');
      const child = execFile(process.execPath, ['-e', script], { cwd }, (_, __, stderr) =>
        resolve({ code: child.exitCode, stderr }),
      );
    });
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toContain('Tried to process unknown reply: !empty');
  });

  it('patches node-routeros only once', () => {
    const processPacket = (Channel.prototype as unknown as { processPacket: unknown }).processPacket;
    patchNodeRouterOs();
    expect((Channel.prototype as unknown as { processPacket: unknown }).processPacket).toBe(processPacket);
  });

  it('logs in to a router older than 6.43 with the challenge', async () => {
    sim.state.version = '6.42.12';
    expect(await client.command(routerOf(sim), IDENTITY)).toEqual([{ name: 'MikroTik' }]);
  });

  describe('failures', () => {
    it('fails within its deadline when the router never answers the login, and the process lives', async () => {
      newClient({ connectTimeoutMs: 300 });
      await sim.setFaults({ silent: true });
      const started = Date.now();
      const error = await failure(client.command(routerOf(sim), IDENTITY));
      expect(error).toMatchObject({ kind: 'timeout', code: 'ROUTER_TIMEOUT', retryable: true });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(sim.log.map((entry) => entry.words[0])).toEqual(['/login']);
    });

    it('fails within its deadline when the router stops answering, then reconnects', async () => {
      newClient({ commandTimeoutMs: 300 });
      const router = routerOf(sim);
      await client.command(router, IDENTITY);
      await sim.setFaults({ silent: true });
      const started = Date.now();
      expect(await failure(client.command(router, IDENTITY))).toMatchObject({ kind: 'timeout', retryable: true });
      expect(Date.now() - started).toBeLessThan(1000);
      await sim.setFaults({ silent: false });
      expect(await client.command(router, IDENTITY)).toEqual([{ name: 'MikroTik' }]);
      expect(sim.stats.connections).toBe(2);
    });

    it('waits for a slow router within the deadline', async () => {
      await sim.setFaults({ delayMs: 100 });
      expect(await client.command(routerOf(sim), IDENTITY)).toEqual([{ name: 'MikroTik' }]);
    });

    it('fails a command whose connection drops mid-reply; the retry works on a fresh connection', async () => {
      const router = routerOf(sim);
      await client.command(router, IDENTITY);
      await sim.setFaults({ dropNextCommands: 1 });
      const error = await failure(client.command(router, IDENTITY));
      expect(error).toMatchObject({ kind: 'unreachable', retryable: true, details: { command: IDENTITY } });
      expect(await client.command(router, IDENTITY)).toEqual([{ name: 'MikroTik' }]);
      expect(sim.stats.connections).toBe(2);
    });

    it('classifies a refused connection as unreachable by its errno', async () => {
      await sim.setFaults({ refuseConnections: true });
      const error = await failure(client.command(routerOf(sim), IDENTITY));
      expect(error).toMatchObject({
        kind: 'unreachable',
        code: 'ROUTER_UNREACHABLE',
        retryable: true,
        details: { errno: 'ECONNREFUSED' },
      });
    });

    it('classifies wrong credentials as a final login refusal, and never logs or reports the password', async () => {
      const { logger, lines } = capturingLogger();
      newClient({ logger });
      const password = 'Not-The-Password-42';
      const error = await failure(client.command(routerOf(sim, { password }), IDENTITY));
      expect(error).toMatchObject({
        kind: 'login_refused',
        code: 'ROUTER_LOGIN_REFUSED',
        retryable: false,
        details: { errno: 'CANTLOGIN' },
      });
      await sim.setFaults({ rejectLogins: true });
      expect(await failure(client.command(routerOf(sim), IDENTITY))).toMatchObject({ kind: 'login_refused' });
      const everything = JSON.stringify([error.message, error.details, lines]);
      expect(everything).not.toContain(password);
    });

    it('turns a reply on an unknown tag into a failed call instead of a crash', async () => {
      // A broken router: it logs us in, then answers every command on a tag nobody asked for.
      const server: Server = createServer((socket) => {
        const decoder = new SentenceDecoder();
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => {
          for (const words of decoder.push(chunk)) {
            const tag = words.find((w) => w.startsWith('.tag='))!;
            const reply =
              words[0] === '/login' ? [['!done', tag]] : [['!re', '=x=1', '.tag=bogus'], ['!done', '.tag=bogus']];
            socket.write(Buffer.concat(reply.map(encodeSentence)));
          }
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      try {
        const error = await failure(client.command(routerOf(sim, { id: 'broken', port }), IDENTITY));
        expect(error).toMatchObject({ kind: 'unknown', retryable: true, details: { errno: 'UNREGISTEREDTAG' } });
      } finally {
        await client.close();
        server.close();
      }
    });

    it('rejects bad router data and malformed commands before connecting', async () => {
      const router = routerOf(sim);
      const calls = [
        client.command({ ...router, host: 'bad host; /quit' }, IDENTITY),
        client.command({ ...router, port: 0 }, IDENTITY),
        client.command({ ...router, tlsFingerprint: 'not-a-fingerprint' }, IDENTITY),
        client.command(router, 'system/identity/print'),
        client.command(router, '/system/identity/print', ['name=x']),
      ];
      for (const call of calls) {
        expect(await failure(call)).toMatchObject({ kind: 'invalid_argument', retryable: false });
      }
      expect(sim.stats.connections).toBe(0);
    });
  });

  describe('endpoint policy (ROUTER_ALLOWED_NETWORKS)', () => {
    it('never connects to a refused address, so the password never leaves; the refusal is logged and retryable', async () => {
      const { logger, lines } = capturingLogger();
      newClient({ endpoints: new RouterEndpointPolicy(['default']), logger });
      const error = await failure(client.command(routerOf(sim, { password: 'Stored-Router-Password' }), IDENTITY));
      expect(error).toMatchObject({ kind: 'not_allowed', code: 'ROUTER_UNREACHABLE', retryable: true });
      expect(sim.stats.connections).toBe(0);
      expect(lines.join('\n')).toContain('router address refused by ROUTER_ALLOWED_NETWORKS');
      expect(JSON.stringify([error.message, error.details, lines])).not.toContain('Stored-Router-Password');
    });

    it('resolves a host name and checks the address it resolves to: `localhost` is loopback', async () => {
      newClient({ endpoints: new RouterEndpointPolicy(['default']) });
      expect(await failure(client.command(routerOf(sim, { host: 'localhost' }), IDENTITY))).toMatchObject({ kind: 'not_allowed' });
      expect(sim.stats.connections).toBe(0);
      await client.close();
      newClient({ endpoints: new RouterEndpointPolicy(['default', '127.0.0.0/8']) });
      expect(await client.command(routerOf(sim, { host: 'localhost' }), IDENTITY)).toEqual([{ name: 'MikroTik' }]);
    });

    it('connects to the very address it checked, never letting the library resolve the name again', async () => {
      // `router.invalid` resolves nowhere (RFC 6761): only the checked address can reach the simulator.
      newClient({ endpoints: new RouterEndpointPolicy(['default', '127.0.0.1'], async () => ['127.0.0.1']) });
      expect(await client.command(routerOf(sim, { host: 'router.invalid' }), IDENTITY)).toEqual([{ name: 'MikroTik' }]);
      expect(sim.stats).toMatchObject({ connections: 1, logins: 1 });
    });
  });

  describe('pool', () => {
    it('keeps at most maxConcurrentPerRouter commands in flight and completes all 50', async () => {
      newClient({ maxConcurrentPerRouter: 4 });
      await sim.setFaults({ delayMs: 20 });
      const router = routerOf(sim);
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, i) => client.command(router, '/ip/hotspot/user/add', [`=name=u${i}`])),
      );
      expect(replies).toHaveLength(50);
      expect(sim.state.list('/ip/hotspot/user')).toHaveLength(50);
      expect(sim.stats).toMatchObject({ maxInFlight: 4, connections: 1 });
    });

    it('bounds the wait for a slot by the call deadline', async () => {
      newClient({ maxConcurrentPerRouter: 1, commandTimeoutMs: 200 });
      const router = routerOf(sim);
      await client.command(router, IDENTITY);
      await sim.setFaults({ silent: true });
      const started = Date.now();
      const errors = await Promise.all([1, 2].map(() => failure(client.command(router, IDENTITY))));
      expect(errors.map((e) => e.kind)).toEqual(['timeout', 'timeout']);
      expect(Date.now() - started).toBeLessThan(CLIENT_OPTIONS.connectTimeoutMs + 200 + 500);
    });

    it('closes an idle connection and opens a new one when needed', async () => {
      newClient({ idleCloseMs: 50 });
      const router = routerOf(sim);
      await client.command(router, IDENTITY);
      await waitFor(() => sim.stats.openConnections === 0);
      await client.command(router, IDENTITY);
      expect(sim.stats.connections).toBe(2);
    });

    it('replaces the pooled connection when the router row changes', async () => {
      await client.command(routerOf(sim), IDENTITY);
      await client.command(routerOf(sim, { user: 'other', password: 'second' }), IDENTITY);
      expect(sim.stats.connections).toBe(2);
      await waitFor(() => sim.stats.openConnections === 1);
    });

    it('keeps routers apart: one connection each', async () => {
      const other = await startRouterSimulator({ version: '6.49.10' });
      try {
        await Promise.all([client.command(routerOf(sim), IDENTITY), client.command(routerOf(other), IDENTITY)]);
        expect([sim.stats.connections, other.stats.connections]).toEqual([1, 1]);
      } finally {
        await client.close();
        await other.close();
      }
    });

    it('closes its sockets on close() and refuses calls afterwards', async () => {
      await client.command(routerOf(sim), IDENTITY);
      await client.close();
      await waitFor(() => sim.stats.openConnections === 0);
      expect(await failure(client.command(routerOf(sim), IDENTITY))).toMatchObject({ kind: 'unreachable' });
    });
  });

  it('fails a call to a router that hangs up during the handshake, as unreachable, and the process lives', async () => {
    // The socket reports the hang-up to node-routeros twice (its end, then the failed handshake): the second used to
    // be an unhandled 'error' event, which ends the process.
    const hangUp = createServer((socket) => socket.once('data', () => socket.destroy()));
    await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
    try {
      const router = routerOf(sim, { port: (hangUp.address() as { port: number }).port, useTls: true });
      for (let attempt = 0; attempt < 3; attempt++) {
        expect(await failure(client.command(router, IDENTITY))).toMatchObject({ kind: 'unreachable', retryable: true });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      hangUp.close();
    }
  });

  describe('API-SSL', () => {
    let tlsSim: RouterSimulator;
    const fingerprint = new X509Certificate(fixture('router-cert.pem')).fingerprint256;
    const tlsRouter = (overrides = {}) => routerOf(tlsSim, { useTls: true, ...overrides });

    afterEach(() => tlsSim.close());

    describe('with a self-signed certificate', () => {
      beforeEach(async () => {
        const tls = { key: fixture('router-key.pem'), cert: fixture('router-cert.pem') };
        tlsSim = await startRouterSimulator({ tls });
      });

      it('connects without verification', async () => {
        expect(await client.command(tlsRouter(), IDENTITY)).toEqual([{ name: 'MikroTik' }]);
      });

      it('connects when the pinned fingerprint matches (any hex form)', async () => {
        const pin = fingerprint.replace(/:/g, '').toLowerCase();
        expect(await client.command(tlsRouter({ tlsFingerprint: pin }), IDENTITY)).toEqual([{ name: 'MikroTik' }]);
      });

      it('refuses a certificate that does not match the pin, before sending the password', async () => {
        const error = await failure(client.command(tlsRouter({ tlsFingerprint: 'AB'.repeat(32) }), IDENTITY));
        expect(error).toMatchObject({ kind: 'login_refused', retryable: false });
        expect(tlsSim.log).toEqual([]);
      });

      it('refuses an untrusted certificate when verification is on', async () => {
        const error = await failure(client.command(tlsRouter({ tlsVerify: true }), IDENTITY));
        expect(error).toMatchObject({ kind: 'login_refused', details: { errno: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
        expect(tlsSim.log).toEqual([]);
      });
    });

    describe('without a certificate (anonymous Diffie-Hellman)', () => {
      beforeEach(async () => {
        tlsSim = await startRouterSimulator({ tls: 'anonymous' });
      });

      it('connects when verification is off', async () => {
        expect(await client.command(tlsRouter(), IDENTITY)).toEqual([{ name: 'MikroTik' }]);
      });

      it('refuses when a fingerprint is pinned', async () => {
        expect(await failure(client.command(tlsRouter({ tlsFingerprint: fingerprint }), IDENTITY))).toMatchObject({
          kind: 'login_refused',
        });
      });
    });
  });
});
