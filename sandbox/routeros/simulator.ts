import { createHash, randomBytes } from 'node:crypto';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { RouterState, Trap, versionAtLeast, type CommandResult, type Fields, type ParsedCommand } from './state';
import { runScript } from './script';
import { encodeSentence, SentenceDecoder } from './wire';

/**
 * A MikroTik router on loopback that speaks the real RouterOS API protocol, so the unmodified
 * node-routeros client can be tested against it: login, tags, `!re`/`!done`/`!trap`/`!fatal`/`!empty`, hotspot state,
 * fault injection and inspection. Several can run at once; each owns its state.
 */

export interface RouterSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** RouterOS version, e.g. `6.49.10` or `7.18`. Below 6.43 the legacy challenge login is used; from 7.18 `!empty`. */
  version?: string;
  identity?: string;
  /** API accounts (name → password) in the `full` group. Default `{ admin: 'admin' }`. More come from `/user add`. */
  users?: Record<string, string>;
  /** API-SSL: a certificate, or `anonymous` for a router without one (anonymous Diffie-Hellman). */
  tls?: { key: string | Buffer; cert: string | Buffer } | 'anonymous';
  /** See RouterStateOptions.loginSettleMs. */
  loginSettleMs?: number;
}

/** Failures switchable at run time through `setFaults`. */
export interface RouterFaults {
  /** Stop listening, so connections are refused; open connections are dropped (the router is down). */
  refuseConnections: boolean;
  /** Accept connections and read commands but never answer, not even the login. */
  silent: boolean;
  /** Wait this long before each reply. */
  delayMs: number;
  /** The next N commands run, then the connection drops halfway through the reply. */
  dropNextCommands: number;
  /** Every API login fails as with a wrong password. */
  rejectLogins: boolean;
  /** The next N commands fail with `!trap =message=<trapMessage>` and change nothing. */
  trapNextCommands: number;
  trapMessage: string;
}

export interface LoggedSentence {
  seq: number;
  connection: number;
  /** Words as received, the API login password replaced by `***`. */
  words: string[];
}

export interface RouterStats {
  /** TCP (or TLS) connections accepted. */
  connections: number;
  openConnections: number;
  logins: number;
  failedLogins: number;
  /** Round trips per command word, e.g. `/ip/hotspot/user/add`; login excluded. */
  commands: Record<string, number>;
  /** Prints without any `?` query word, per menu (e.g. `/ip/hotspot/user`): full-table reads. */
  fullTablePrints: Record<string, number>;
  /** Commands received and not yet answered, now and at most. */
  inFlight: number;
  maxInFlight: number;
}

export interface RouterSimulator {
  readonly host: string;
  readonly port: number;
  readonly state: RouterState;
  readonly log: readonly LoggedSentence[];
  readonly stats: Readonly<RouterStats>;
  readonly faults: Readonly<RouterFaults>;
  setFaults(patch: Partial<RouterFaults>): Promise<void>;
  /** Puts a device into `/ip/hotspot/host`, as if it had joined the WiFi; returns its `.id`. */
  attachDevice(mac: string, ip: string, options?: { toAddress?: string }): string;
  /** Runs a RouterOS script as `/import` would (see script.ts); returns what it printed, throws ScriptError. */
  runScript(source: string): string[];
  /** Forgets the log and zeroes the counters (open connections stay). */
  resetLog(): void;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const PRINT = /\/(print|getall)$/;
const ANONYMOUS_CIPHERS = 'ADH-AES256-GCM-SHA384:ADH-AES128-SHA256:ADH-AES256-SHA:ADH-AES128-SHA:@SECLEVEL=0';

const noFaults = (): RouterFaults => ({
  refuseConnections: false,
  silent: false,
  delayMs: 0,
  dropNextCommands: 0,
  rejectLogins: false,
  trapNextCommands: 0,
  trapMessage: 'failure: simulated fault',
});

const zeroStats = (openConnections: number): RouterStats => ({
  connections: 0,
  openConnections,
  logins: 0,
  failedLogins: 0,
  commands: {},
  fullTablePrints: {},
  inFlight: 0,
  maxInFlight: 0,
});

interface Connection {
  id: number;
  socket: Socket;
  /** The logged-in account's group policies; undefined before login. */
  policies?: Set<string>;
  challenge?: Buffer;
}

function parse(words: string[]): ParsedCommand & { tag?: string } {
  const [command, ...rest] = words;
  const parsed: ParsedCommand & { tag?: string } = { command, attrs: {}, queries: [] };
  for (const word of rest) {
    if (word.startsWith('.tag=')) parsed.tag = word.slice(5);
    else if (word.startsWith('?')) parsed.queries.push(word.slice(1));
    else if (word.startsWith('=')) {
      const eq = word.indexOf('=', 1);
      if (eq < 0) parsed.attrs[word.slice(1)] = '';
      else parsed.attrs[word.slice(1, eq)] = word.slice(eq + 1);
    }
  }
  return parsed;
}

const attributeWords = (fields: Fields) => Object.entries(fields).map(([k, v]) => `=${k}=${v}`);

export async function startRouterSimulator(options: RouterSimulatorOptions = {}): Promise<RouterSimulator> {
  const { version, identity, loginSettleMs } = options;
  const state = new RouterState({ version, identity, loginSettleMs });
  for (const [name, password] of Object.entries(options.users ?? { admin: 'admin' })) state.addApiUser(name, password);
  const faults = noFaults();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let log: LoggedSentence[] = [];
  let stats = zeroStats(0);
  let seq = 0;
  let connectionSeq = 0;
  let port = options.port ?? 0;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  /** Sends one reply batch in a single write: node-routeros flushes what it has at the end of each chunk. */
  const reply = (conn: Connection, sentences: string[][], tag: string | undefined, how: 'whole' | 'drop' = 'whole') => {
    const tagged = sentences.map((words) => (tag === undefined ? words : [...words, `.tag=${tag}`]));
    const bytes = Buffer.concat(tagged.map(encodeSentence));
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    later(faults.delayMs, () => {
      stats.inFlight--;
      if (conn.socket.destroyed) return;
      if (how === 'drop') {
        conn.socket.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
        conn.socket.destroy();
      } else {
        conn.socket.write(bytes);
      }
    });
  };

  const fatal = (conn: Connection, reason: string) => {
    conn.socket.end(encodeSentence(['!fatal', reason]));
  };

  const trap = (message: string, category?: number) => [
    ['!trap', ...(category === undefined ? [] : [`=category=${category}`]), `=message=${message}`],
    ['!done'],
  ];

  const login = (conn: Connection, attrs: Fields, tag: string | undefined) => {
    const name = attrs.name ?? '';
    const client = conn.socket.remoteAddress ?? '';
    let policies: Set<string> | undefined;
    if (versionAtLeast(state.version, '6.43')) {
      policies = state.authenticate(name, attrs.password ?? '', client);
    } else if (attrs.response === undefined) {
      // Before 6.43 the router ignores name/password and answers with a challenge.
      conn.challenge = randomBytes(16);
      reply(conn, [['!done', `=ret=${conn.challenge.toString('hex')}`]], tag);
      return;
    } else {
      const expected = state.apiPassword(name);
      const challenge = conn.challenge ?? Buffer.alloc(0);
      const digest = createHash('md5')
        .update(Buffer.concat([Buffer.from([0]), Buffer.from(expected ?? '', 'latin1'), challenge]))
        .digest('hex');
      const matches = expected !== undefined && conn.challenge !== undefined && attrs.response === `00${digest}`;
      policies = matches ? state.authenticate(name, undefined, client) : undefined;
    }
    if (policies && !faults.rejectLogins) {
      conn.policies = policies;
      stats.logins++;
      reply(conn, [['!done']], tag);
    } else {
      stats.failedLogins++;
      reply(conn, trap('invalid user name or password (6)'), tag);
    }
  };

  const run = (parsed: ParsedCommand, policies: Set<string>): string[][] => {
    let result: CommandResult;
    try {
      if (faults.trapNextCommands > 0) {
        faults.trapNextCommands--;
        throw new Trap(faults.trapMessage);
      }
      result = state.execute(parsed, policies);
    } catch (error) {
      if (error instanceof Trap) return trap(error.message, error.category);
      throw error;
    }
    const rows = result.rows.map((row) => ['!re', ...attributeWords(row)]);
    // RouterOS 7.18+ marks a print that matched nothing with `!empty`.
    if (PRINT.test(parsed.command) && rows.length === 0 && versionAtLeast(state.version, '7.18')) rows.push(['!empty']);
    return [...rows, ['!done', ...attributeWords(result.done)]];
  };

  const handle = (conn: Connection, words: string[]) => {
    log.push({
      seq: ++seq,
      connection: conn.id,
      words: words[0] === '/login' ? words.map((w) => (w.startsWith('=password=') ? '=password=***' : w)) : words,
    });
    if (faults.silent) return;
    const parsed = parse(words);
    const { command, tag } = parsed;
    if (command === '/login') return login(conn, parsed.attrs, tag);
    if (command === '/quit') return fatal(conn, 'session terminated on request');
    if (!conn.policies) return fatal(conn, 'not logged in');
    if (command === '/cancel') return reply(conn, [['!done']], tag);
    stats.commands[command] = (stats.commands[command] ?? 0) + 1;
    const menu = command.slice(0, command.lastIndexOf('/'));
    if (PRINT.test(command) && parsed.queries.length === 0) {
      stats.fullTablePrints[menu] = (stats.fullTablePrints[menu] ?? 0) + 1;
    }
    const sentences = run(parsed, conn.policies);
    if (faults.dropNextCommands > 0) {
      faults.dropNextCommands--;
      return reply(conn, sentences, tag, 'drop');
    }
    reply(conn, sentences, tag);
  };

  const accept = (socket: Socket) => {
    const conn: Connection = { id: ++connectionSeq, socket };
    socket.on('error', () => undefined); // a client that resets is not the router's problem
    // `/ip service`: a disabled service, or a client outside its `address` list, is cut off before any word.
    if (!state.serviceAccepts(tls === undefined ? 'api' : 'api-ssl', socket.remoteAddress ?? '')) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    stats.connections++;
    stats.openConnections++;
    socket.once('close', () => stats.openConnections--);
    const decoder = new SentenceDecoder();
    socket.on('data', (chunk: Buffer) => {
      let sentences: string[][];
      try {
        sentences = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const words of sentences) if (!socket.destroyed) handle(conn, words);
    });
  };

  const tls = options.tls;
  const server: Server =
    tls === undefined
      ? createTcpServer(accept)
      : createTlsServer(
          tls === 'anonymous'
            ? { ciphers: ANONYMOUS_CIPHERS, maxVersion: 'TLSv1.2', dhparam: 'auto' }
            : { key: tls.key, cert: tls.cert },
          accept,
        );
  // Track raw sockets (also those still in a TLS handshake) so that close() and refuseConnections can drop them.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, HOST, () => {
        server.off('error', reject);
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  const stopListening = () => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  };

  await listen();

  return {
    host: HOST,
    get port() {
      return port;
    },
    state,
    get log() {
      return log;
    },
    get stats() {
      return stats;
    },
    get faults() {
      return { ...faults };
    },
    async setFaults(patch) {
      const wasRefusing = faults.refuseConnections;
      Object.assign(faults, patch);
      if (faults.refuseConnections && !wasRefusing) await stopListening();
      if (!faults.refuseConnections && wasRefusing) await listen();
    },
    attachDevice: (mac, ip, deviceOptions) => state.attachDevice(mac, ip, deviceOptions),
    runScript: (source) => runScript(state, source),
    resetLog() {
      log = [];
      stats = zeroStats(stats.openConnections);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await stopListening();
    },
  };
}
