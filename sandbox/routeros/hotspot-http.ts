import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { MENU, Trap, type Fields, type RouterState } from './state';

/**
 * The HTTP side of the simulated hotspot: what a phone on the WiFi sees before and after login. It serves an
 * html-directory (the portal) with RouterOS's `$(…)` variables and `$(if …)` blocks filled in, logs devices in by the
 * login form (http-chap with a fresh challenge per page, or http-pap) or by MAC cookie, and shows status and logout
 * pages — from the same router state the API sees, so a login here is a session in `/ip/hotspot/active`.
 *
 * A real router knows a client by its packets' addresses; here every client is 127.0.0.1, so the device is in the path:
 * `/hs/AA-BB-CC-DD-EE-01/login` is what the device with that MAC (a host of `/ip/hotspot/host`) gets at `/login`.
 */

export interface HotspotHttpOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** The local folder served as the hotspot's html-directory (the generated portal). */
  htmlDirectory: string;
  /** Where a device was going before the hotspot caught it (`$(link-orig)`). */
  originalUrl?: string;
}

export interface HotspotHttp {
  url: string;
  port: number;
  /** The URL a device gets for a hotspot page (`login`, `status`, `logout`, `` for `/`). */
  deviceUrl(mac: string, page?: string): string;
  setHtmlDirectory(dir: string): void;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};
const SERVER = 'hotspot1';

/** Bytes as the JavaScript string escapes RouterOS writes for `$(chap-id)` and `$(chap-challenge)`: `\075\341…`. */
const octal = (bytes: Buffer) => [...bytes].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');

/**
 * RouterOS's page language: `$(name)`, `$(if name)`, `$(if name == value)` (value bare or quoted), `$(elif …)`,
 * `$(else)`, `$(endif)`, nested. An unknown variable is empty.
 */
export function renderTemplate(source: string, vars: Record<string, string>): string {
  const value = (name: string) => {
    if (name in vars) return vars[name];
    if (name.endsWith('-esc')) return encodeURIComponent(vars[name.slice(0, -4)] ?? '');
    return '';
  };
  const test = (expression: string) => {
    const match = /^([\w-]+)\s*(==|!=)\s*"?([^"]*)"?$/.exec(expression.trim());
    if (!match) return value(expression.trim()) !== '';
    return match[2] === '==' ? value(match[1]) === match[3] : value(match[1]) !== match[3];
  };
  let out = '';
  // Each level: is this branch shown, and has a branch of this if/elif chain been taken yet.
  const stack: { showing: boolean; taken: boolean; outer: boolean }[] = [];
  const visible = () => stack.every((level) => level.showing);
  let last = 0;
  for (const match of source.matchAll(/\$\(([^)]*)\)/g)) {
    if (visible()) out += source.slice(last, match.index);
    last = match.index + match[0].length;
    const [word, ...rest] = match[1].split(' ');
    const expression = rest.join(' ');
    if (word === 'if') {
      const outer = visible();
      const showing = outer && test(expression);
      stack.push({ showing, taken: showing, outer });
    } else if (word === 'elif' || word === 'else' || word === 'endif') {
      const level = stack[stack.length - 1];
      if (!level) throw new Error(`$(${match[1]}) without $(if)`);
      if (word === 'endif') stack.pop();
      else {
        level.showing = level.outer && !level.taken && (word === 'else' || test(expression));
        level.taken ||= level.showing;
      }
    } else if (visible()) {
      out += value(match[1]);
    }
  }
  if (stack.length > 0) throw new Error('$(if) without $(endif)');
  return out + (visible() ? source.slice(last) : '');
}

function readBody(request: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('latin1');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(new URLSearchParams(body)));
    request.on('error', reject);
  });
}

export async function startHotspotHttp(state: RouterState, options: HotspotHttpOptions): Promise<HotspotHttp> {
  let htmlDirectory = options.htmlDirectory;
  const originalUrl = options.originalUrl ?? 'http://www.example.com/';
  /** The CHAP challenge each device's last login page carried. */
  const challenges = new Map<string, { id: Buffer; challenge: Buffer }>();
  let base = '';

  const serverProfile = (): Fields => {
    const server = state.list(MENU.server).find((s) => s.name === SERVER);
    return state.list(MENU.serverProfile).find((p) => p.name === server?.profile) ?? {};
  };
  const loginMethods = () => new Set((serverProfile()['login-by'] ?? '').split(','));
  const session = (mac: string) => state.list(MENU.active).find((s) => s['mac-address'] === mac);
  const host = (mac: string) => state.list(MENU.host).find((h) => h['mac-address'] === mac);

  const variables = (mac: string, extra: Record<string, string>): Record<string, string> => {
    const device = host(mac)!;
    const active = session(mac);
    const prefix = `${base}/hs/${mac.replace(/:/g, '-')}`;
    const orig = extra['link-orig'] ?? originalUrl;
    return {
      mac, ip: device.address, identity: state.identity, hostname: new URL(base).host, 'server-name': SERVER,
      'server-address': new URL(base).host, 'login-by': serverProfile()['login-by'] ?? '', 'logged-in': active ? 'yes' : 'no',
      'link-login-only': `${prefix}/login`, 'link-login': `${prefix}/login?dst=${encodeURIComponent(orig)}`,
      'link-logout': `${prefix}/logout`, 'link-status': `${prefix}/status`, 'link-orig': orig, 'link-redirect': orig,
      username: active?.user ?? '', uptime: active?.uptime ?? '', 'session-time-left': active?.['session-time-left'] ?? '',
      'bytes-in-nice': `${active?.['bytes-in'] ?? 0} B`, 'bytes-out-nice': `${active?.['bytes-out'] ?? 0} B`,
      'refresh-timeout': '1m', 'refresh-timeout-secs': '60', popup: 'true',
      ...extra,
    };
  };

  const fileOf = (name: string): string | undefined => {
    const file = path.resolve(htmlDirectory, name);
    if (!file.startsWith(path.resolve(htmlDirectory) + path.sep) || !existsSync(file) || !statSync(file).isFile()) return undefined;
    return file;
  };

  const send = (response: ServerResponse, status: number, type: string, body: string | Buffer) => {
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    response.end(body);
  };

  /** A page of the html-directory with the device's variables; `fallbacks` are tried in order (rlogin → redirect). */
  const page = (response: ServerResponse, mac: string, names: string[], extra: Record<string, string> = {}) => {
    const file = names.map(fileOf).find(Boolean);
    if (!file) return send(response, 404, 'text/plain', 'Not Found');
    send(response, 200, CONTENT_TYPES['.html'], renderTemplate(readFileSync(file, 'utf8'), variables(mac, extra)));
  };

  const loginPage = (response: ServerResponse, mac: string, extra: Record<string, string>) => {
    const chap = loginMethods().has('http-chap') ? { id: randomBytes(1), challenge: randomBytes(16) } : undefined;
    if (chap) challenges.set(mac, chap);
    const chapVars: Record<string, string> = chap ? { 'chap-id': octal(chap.id), 'chap-challenge': octal(chap.challenge) } : {};
    page(response, mac, ['login.html'], { ...chapVars, ...extra });
  };

  /** The login form's POST: CHAP (hex MD5 of id + password + challenge) when a challenge is out, else PAP if allowed. */
  const login = (mac: string, form: URLSearchParams): string | undefined => {
    const username = form.get('username') ?? '';
    const submitted = form.get('password') ?? '';
    const chap = challenges.get(mac);
    const methods = loginMethods();
    const verify = (stored: string) => {
      if (chap && methods.has('http-chap') && /^[0-9a-f]{32}$/.test(submitted)) {
        const expected = createHash('md5').update(Buffer.concat([chap.id, Buffer.from(stored, 'latin1'), chap.challenge])).digest('hex');
        return expected === submitted;
      }
      return methods.has('http-pap') && stored === submitted;
    };
    try {
      state.hotspotLogin(mac, username, verify);
      challenges.delete(mac);
      return undefined;
    } catch (error) {
      if (error instanceof Trap) return error.message;
      throw error;
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', base);
    const match = /^\/hs\/([0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5})(\/.*)?$/.exec(url.pathname);
    if (!match) return send(response, 404, 'text/plain', 'Not Found: use /hs/<MAC>/login');
    const mac = match[1].toUpperCase().replace(/-/g, ':');
    if (!host(mac)) return send(response, 404, 'text/plain', `No device ${mac} on this hotspot (POST /devices to the router view)`);
    const route = match[2] ?? '/';
    const dst = url.searchParams.get('dst') ?? undefined;
    const orig: Record<string, string> = dst ? { 'link-orig': dst } : {};
    // A device back with its MAC cookie is logged in at its first request, before any page.
    if (!session(mac) && loginMethods().has('mac-cookie')) state.cookieLogin(mac);

    if (route === '/') return page(response, mac, session(mac) ? ['status.html'] : ['rlogin.html', 'redirect.html'], orig);
    if (route === '/login') {
      const form = request.method === 'POST' ? await readBody(request) : url.searchParams;
      const redirect: Record<string, string> = form.get('dst') ? { 'link-orig': form.get('dst')! } : orig;
      if (session(mac)) return page(response, mac, ['alogin.html'], redirect);
      if (!form.get('username')) return loginPage(response, mac, redirect);
      const error = login(mac, form);
      if (!error) return page(response, mac, ['alogin.html'], redirect);
      return loginPage(response, mac, { ...redirect, error, 'error-orig': error });
    }
    if (route === '/status') return page(response, mac, session(mac) ? ['status.html'] : ['rlogin.html', 'redirect.html'], orig);
    if (route === '/logout') {
      const form = request.method === 'POST' ? await readBody(request) : url.searchParams;
      const active = session(mac);
      if (!active) return page(response, mac, ['rlogin.html', 'redirect.html'], orig);
      const ended = variables(mac, {});
      state.execute({ command: `${MENU.active}/remove`, attrs: { '.id': active['.id'] }, queries: [] });
      if (['on', 'true'].includes(form.get('erase-cookie') ?? '')) {
        for (const cookie of state.list(MENU.cookie).filter((c) => c['mac-address'] === mac)) {
          state.execute({ command: `${MENU.cookie}/remove`, attrs: { '.id': cookie['.id'] }, queries: [] });
        }
      }
      return page(response, mac, ['logout.html'], { ...ended, 'logged-in': 'no' });
    }
    const name = route.slice(1);
    const file = fileOf(name);
    if (!file) return send(response, 404, 'text/plain', 'Not Found');
    const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    if (type.startsWith('text/html')) return page(response, mac, [name], orig);
    send(response, 200, type, readFileSync(file));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain', error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  // The portal's files are on the router: the setup script checks for them in `/file`.
  const publish = (dir: string) => {
    const folder = serverProfile()['html-directory'] ?? 'hotspot';
    for (const name of readdirSync(dir, { recursive: true }).map(String)) {
      if (statSync(path.join(dir, name)).isFile()) state.putFile(`${folder}/${name.split(path.sep).join('/')}`, statSync(path.join(dir, name)).size);
    }
  };
  publish(htmlDirectory);

  return {
    url: base,
    port,
    deviceUrl: (mac, page = 'login') => `${base}/hs/${mac.toUpperCase().replace(/:/g, '-')}/${page}`,
    setHtmlDirectory(dir) {
      htmlDirectory = dir;
      publish(dir);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
