import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { RouterFaults, RouterSimulator } from './simulator';
import { MENU } from './state';

/**
 * A small JSON view of a running simulator for people and scripts:
 * - `GET /` state (users, profiles, sessions, hosts, cookies), faults and counters;
 * - `GET /log` every sentence received;
 * - `POST /faults` a partial RouterFaults; `POST /devices` `{ mac, ip, toAddress? }`; `POST /version` `{ version }`;
 * - `POST /script` `{ source }` runs a RouterOS script (e.g. the setup script); `POST /reset-log`.
 */

export interface HttpView {
  readonly port: number;
  close(): Promise<void>;
}

class BadRequest extends Error {}

const FAULT_TYPES: Record<keyof RouterFaults, 'boolean' | 'number' | 'string'> = {
  refuseConnections: 'boolean',
  silent: 'boolean',
  delayMs: 'number',
  dropNextCommands: 'number',
  rejectLogins: 'boolean',
  trapNextCommands: 'number',
  trapMessage: 'string',
};

function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('error', reject);
    request.on('end', () => {
      try {
        const value: unknown = JSON.parse(body || '{}');
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error();
        resolve(value as Record<string, unknown>);
      } catch {
        reject(new BadRequest('the body must be a JSON object'));
      }
    });
  });
}

function faultPatch(body: Record<string, unknown>): Partial<RouterFaults> {
  for (const [key, value] of Object.entries(body)) {
    const type = FAULT_TYPES[key as keyof RouterFaults] as string | undefined;
    if (type === undefined || typeof value !== type) throw new BadRequest(`unknown fault or wrong type: ${key}`);
  }
  return body as Partial<RouterFaults>;
}

function text(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string') throw new BadRequest(`${key} must be a string`);
  return value;
}

async function route(sim: RouterSimulator, request: IncomingMessage): Promise<unknown> {
  const target = `${request.method} ${new URL(request.url ?? '/', 'http://view').pathname}`;
  switch (target) {
    case 'GET /':
      return {
        api: { host: sim.host, port: sim.port },
        version: sim.state.version,
        identity: sim.state.identity,
        faults: sim.faults,
        stats: sim.stats,
        users: sim.state.list(MENU.user),
        profiles: sim.state.list(MENU.profile),
        sessions: sim.state.list(MENU.active),
        hosts: sim.state.list(MENU.host),
        cookies: sim.state.list(MENU.cookie),
        config: {
          groups: sim.state.list(MENU.group),
          apiUsers: sim.state.list(MENU.apiUser).map(({ password: _password, ...user }) => user),
          services: sim.state.list(MENU.service),
          servers: sim.state.list(MENU.server),
          serverProfiles: sim.state.list(MENU.serverProfile),
          walledGarden: sim.state.list(MENU.walledGarden),
          walledGardenIp: sim.state.list(MENU.walledGardenIp),
        },
      };
    case 'GET /log':
      return sim.log;
    case 'POST /faults':
      await sim.setFaults(faultPatch(await readJson(request)));
      return sim.faults;
    case 'POST /devices': {
      const body = await readJson(request);
      const toAddress = body.toAddress === undefined ? undefined : text(body, 'toAddress');
      return { id: sim.attachDevice(text(body, 'mac'), text(body, 'ip'), { toAddress }) };
    }
    case 'POST /version':
      sim.state.version = text(await readJson(request), 'version');
      return { version: sim.state.version };
    case 'POST /script':
      // `{ "source": "…" }`: the script runs as `/import` would; a script error is a 400 with its message.
      return { output: sim.runScript(text(await readJson(request), 'source')) };
    case 'POST /reset-log':
      sim.resetLog();
      return { ok: true };
    default:
      return undefined;
  }
}

export function startHttpView(sim: RouterSimulator, port = 0): Promise<HttpView> {
  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body, null, 2));
  };
  const server = createServer((request, response) => {
    route(sim, request).then(
      (body) => (body === undefined ? send(response, 404, { error: 'not found' }) : send(response, 200, body)),
      // Bad input (including a RouterOS trap from attachDevice) is the caller's problem; say what it was.
      (error: unknown) => send(response, 400, { error: error instanceof Error ? error.message : String(error) }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        port: (server.address() as { port: number }).port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
