import { formatDuration, parseDurationSeconds } from './durations';

/**
 * What a MikroTik router holds for the hotspot, and how its API commands change it. Messages are the real router's
 * where they are known (routeros.md §3); the rest are marked as guesses in sandbox/routeros/README.md.
 */

export type Fields = Record<string, string>;

/** A `!trap` reply: the command failed and changed nothing. */
export class Trap extends Error {
  override readonly name = 'Trap';
  constructor(
    message: string,
    readonly category?: number,
  ) {
    super(message);
  }
}

export interface CommandResult {
  rows: Fields[];
  /** Attributes of `!done`, e.g. `ret` after `add`. */
  done: Fields;
}

export interface ParsedCommand {
  command: string;
  attrs: Fields;
  queries: string[];
}

export const MENU = {
  user: '/ip/hotspot/user',
  profile: '/ip/hotspot/user/profile',
  active: '/ip/hotspot/active',
  host: '/ip/hotspot/host',
  cookie: '/ip/hotspot/cookie',
} as const;
export type Menu = (typeof MENU)[keyof typeof MENU];

const HOTSPOT_SERVER = 'hotspot1';
const MAC = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DURATION_FIELDS = new Set(['limit-uptime', 'session-timeout', 'mac-cookie-timeout', 'status-autorefresh']);
const DURATION_OR_NONE_FIELDS = new Set(['idle-timeout', 'keepalive-timeout']);
const BOOLEAN_FIELDS = new Set(['disabled', 'add-mac-cookie', 'transparent-proxy']);
const USER_FIELDS = new Set([
  'name', 'password', 'profile', 'server', 'comment', 'disabled', 'limit-uptime', 'limit-bytes-in', 'limit-bytes-out',
  'limit-bytes-total', 'mac-address', 'address', 'email', 'routes',
]);
const PROFILE_FIELDS = new Set([
  'name', 'rate-limit', 'session-timeout', 'idle-timeout', 'keepalive-timeout', 'shared-users', 'add-mac-cookie',
  'mac-cookie-timeout', 'address-list', 'address-pool', 'status-autorefresh', 'transparent-proxy', 'open-status-page',
  'on-login', 'on-logout', 'parent-queue', 'incoming-filter', 'outgoing-filter',
]);

/** A few profiles as an operator would set them up; `default` always exists on a router. */
const DEFAULT_PROFILES: Fields[] = [
  {
    name: 'default', 'idle-timeout': 'none', 'keepalive-timeout': '2m', 'status-autorefresh': '1m', 'shared-users': '1',
    'add-mac-cookie': 'yes', 'mac-cookie-timeout': '3d', 'transparent-proxy': 'no', 'open-status-page': 'always',
  },
  {
    name: '1h-2M', 'rate-limit': '2M/2M', 'session-timeout': '1h', 'idle-timeout': 'none', 'keepalive-timeout': '2m',
    'status-autorefresh': '1m', 'shared-users': '1', 'add-mac-cookie': 'no', 'transparent-proxy': 'no',
    'open-status-page': 'always',
  },
  {
    name: '1d-5M', 'rate-limit': '5M/5M', 'session-timeout': '1d', 'idle-timeout': '30m', 'keepalive-timeout': '2m',
    'status-autorefresh': '1m', 'shared-users': '1', 'add-mac-cookie': 'yes', 'mac-cookie-timeout': '1d',
    'address-list': 'paid', 'transparent-proxy': 'no', 'open-status-page': 'always',
  },
  {
    name: '1w-10M', 'rate-limit': '10M/10M', 'session-timeout': '1w', 'idle-timeout': 'none', 'keepalive-timeout': '5m',
    'status-autorefresh': '2m', 'shared-users': '2', 'add-mac-cookie': 'yes', 'mac-cookie-timeout': '1w',
    'address-list': 'paid', 'transparent-proxy': 'no', 'open-status-page': 'http-login',
  },
];

const pick = (item: Fields, keys: string[]): Fields =>
  Object.fromEntries(Object.entries(item).filter(([key]) => keys.includes(key)));

/** `7.18` ≥ `7.9`: compares dotted versions numerically; a suffix such as ` (stable)` is ignored. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const parse = (v: string) => v.split(/[^\d.]/)[0].split('.').map((n) => Number(n) || 0);
  const [a, b] = [parse(version), parse(minimum)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** One menu's items, with RouterOS-style ids (`*1`, `*2`, … `*1A`) that are never reused. */
class Table {
  private items: Fields[] = [];
  private nextId: number;

  constructor(firstId: number) {
    this.nextId = firstId;
  }

  all(): Fields[] {
    return this.items;
  }

  insert(fields: Fields): Fields {
    const item = { '.id': `*${(this.nextId++).toString(16).toUpperCase()}`, ...fields };
    this.items.push(item);
    return item;
  }

  delete(item: Fields): void {
    this.items = this.items.filter((i) => i !== item);
  }
}

function normaliseValue(field: string, value: string): string {
  const invalid = () => new Trap(`invalid value for argument ${field}`, 1);
  if (BOOLEAN_FIELDS.has(field)) {
    if (['yes', 'true'].includes(value)) return 'true';
    if (['no', 'false'].includes(value)) return 'false';
    throw invalid();
  }
  if (DURATION_OR_NONE_FIELDS.has(field) && value === 'none') return value;
  if (DURATION_FIELDS.has(field) || DURATION_OR_NONE_FIELDS.has(field)) {
    const seconds = parseDurationSeconds(value);
    if (seconds === undefined) throw invalid();
    return formatDuration(seconds);
  }
  if (field === 'mac-address') {
    const mac = value.toUpperCase().replace(/-/g, ':');
    if (!MAC.test(mac)) throw new Trap('invalid value of mac-address', 1);
    return mac;
  }
  if (field === 'shared-users' && !/^(\d+|unlimited)$/.test(value)) throw invalid();
  return value;
}

/** One query word as a test, parsed once per command rather than once per item (tables hold thousands). */
function queryTest(word: string): (item: Fields) => boolean {
  const text = word.startsWith('=') ? word.slice(1) : word;
  if (text.startsWith('-')) {
    const absent = text.slice(1);
    return (item) => !(absent in item);
  }
  const op = text[0] === '<' || text[0] === '>' ? text[0] : '';
  const eq = text.indexOf('=');
  const key = text.slice(op.length, eq < 0 ? undefined : eq);
  if (eq < 0) return (item) => key in item;
  const expected = text.slice(eq + 1);
  if (op === '') return (item) => item[key] === expected;
  const numericExpected = /^\d+$/.test(expected);
  return (item) => {
    const actual = item[key];
    if (actual === undefined) return false;
    const numeric = numericExpected && /^\d+$/.test(actual);
    const [a, b] = numeric ? [Number(actual), Number(expected)] : [actual, expected];
    return op === '<' ? a < b : a > b;
  };
}

/** MikroTik's query language: each word pushes a result, `?#` operators combine them, and the stack is ANDed. */
function compileQuery(queries: readonly string[]): (item: Fields) => boolean {
  const steps = queries.map((word) => (word.startsWith('#') ? { ops: word.slice(1) } : { test: queryTest(word) }));
  return (item) => {
    const stack: boolean[] = [];
    for (const step of steps) {
      if (step.test) {
        stack.push(step.test(item));
        continue;
      }
      for (const op of step.ops) {
        if (op === '!') stack.push(!stack.pop());
        else if (op === '.') stack.push(stack[stack.length - 1] ?? false);
        else if (op === '|' || op === '&') {
          const [b, a] = [stack.pop() ?? false, stack.pop() ?? false];
          stack.push(op === '|' ? a || b : a && b);
        }
      }
    }
    return stack.every(Boolean);
  };
}

export interface RouterStateOptions {
  version?: string;
  identity?: string;
  /** How long a session made by `/ip/hotspot/active/login` stays invisible to print, as if the router were busy. */
  loginSettleMs?: number;
  /** Answer `add` with a bare `!done`, as some menus did on older v7 (routeros.md §2). */
  omitAddRet?: boolean;
}

/** The router's hotspot tables and the API commands that act on them. */
export class RouterState {
  version: string;
  identity: string;
  loginSettleMs: number;
  omitAddRet: boolean;
  private readonly startedAt = Date.now();
  private readonly tables: Record<Menu, Table> = {
    [MENU.user]: new Table(1),
    [MENU.profile]: new Table(0),
    [MENU.active]: new Table(1),
    [MENU.host]: new Table(1),
    [MENU.cookie]: new Table(1),
  };
  /** Sessions not yet visible (see loginSettleMs): id → epoch ms when they appear. */
  private readonly settling = new Map<string, number>();

  constructor(options: RouterStateOptions = {}) {
    this.version = options.version ?? '7.18';
    this.identity = options.identity ?? 'MikroTik';
    this.loginSettleMs = options.loginSettleMs ?? 0;
    this.omitAddRet = options.omitAddRet ?? false;
    for (const profile of DEFAULT_PROFILES) this.add(MENU.profile, profile);
  }

  /** Current rows of a menu, as `print` would return them. Copies: changing them changes nothing. */
  list(menu: Menu): Fields[] {
    return this.visible(menu).map((item) => ({ ...item }));
  }

  /** The items themselves (not copies) that print would show now. */
  private visible(menu: Menu): Fields[] {
    const now = Date.now();
    return this.tables[menu].all().filter((item) => (this.settling.get(item['.id']) ?? 0) <= now);
  }

  /** Adds an item through the same checks as the API's `add` (throws Trap); returns its `.id`. */
  add(menu: typeof MENU.user | typeof MENU.profile, attrs: Fields): string {
    return menu === MENU.user ? this.addUser(attrs) : this.addProfile(attrs);
  }

  /** A device seen by the hotspot (`/ip/hotspot/host`), so that it can log in. Re-attaching a MAC moves it. */
  attachDevice(mac: string, ip: string, options: { toAddress?: string } = {}): string {
    const normalised = normaliseValue('mac-address', mac);
    if (!IPV4.test(ip) || (options.toAddress !== undefined && !IPV4.test(options.toAddress))) {
      throw new Trap('invalid value for argument address', 1);
    }
    const hosts = this.tables[MENU.host];
    const existing = hosts.all().find((h) => h['mac-address'] === normalised);
    if (existing) hosts.delete(existing);
    return hosts.insert({
      'mac-address': normalised, address: ip, 'to-address': options.toAddress ?? ip, server: HOTSPOT_SERVER,
      uptime: '0s', 'idle-time': '0s', 'bytes-in': '0', 'bytes-out': '0', 'packets-in': '0', 'packets-out': '0',
      authorized: 'false', bypassed: 'false', 'found-by': 'DHCP',
    })['.id'];
  }

  /** Runs one API command after login (`/login`, `/quit`, `/cancel` are the connection's). Throws Trap for `!trap`. */
  execute({ command, attrs, queries }: ParsedCommand): CommandResult {
    if (command === '/system/identity/print') return this.print([{ name: this.identity }], attrs, queries);
    if (command === '/system/resource/print') return this.print([this.resource()], attrs, queries);
    const slash = command.lastIndexOf('/');
    const [menu, verb] = [command.slice(0, slash), command.slice(slash + 1)];
    if (!(menu in this.tables)) throw new Trap('no such command prefix', 0);
    const table = menu as Menu;
    switch (verb) {
      case 'print':
      case 'getall':
        return this.print(this.visible(table), attrs, queries);
      case 'add': {
        if (table !== MENU.user && table !== MENU.profile) break;
        const ret = this.add(table, attrs);
        return { rows: [], done: this.omitAddRet ? {} : { ret } };
      }
      case 'set':
        if (table !== MENU.user && table !== MENU.profile) break;
        for (const item of this.resolve(table, attrs)) this.update(table, item, attrs);
        return { rows: [], done: {} };
      case 'enable':
      case 'disable':
        if (table !== MENU.user) break;
        for (const item of this.resolve(table, attrs)) item.disabled = String(verb === 'disable');
        return { rows: [], done: {} };
      case 'remove':
        for (const item of this.resolve(table, attrs)) this.remove(table, item);
        return { rows: [], done: {} };
      case 'login':
        if (table !== MENU.active) break;
        this.login(attrs);
        return { rows: [], done: {} };
    }
    throw new Trap('no such command prefix', 0);
  }

  /** Matching rows, copied (the caller cannot change the router's items through them). */
  private print(items: Fields[], attrs: Fields, queries: string[]): CommandResult {
    const proplist = attrs['.proplist']?.split(',');
    const matches = compileQuery(queries);
    const rows = items.filter(matches).map((item) => (proplist ? pick(item, proplist) : { ...item }));
    return { rows, done: {} };
  }

  private resource(): Fields {
    const v7 = versionAtLeast(this.version, '7');
    return {
      uptime: formatDuration(Math.floor((Date.now() - this.startedAt) / 1000)),
      version: `${this.version} (${v7 ? 'stable' : 'long-term'})`,
      // 7.10 changed printed dates from `feb/24/2025` to ISO (routeros.md §7).
      'build-time': versionAtLeast(this.version, '7.10') ? '2025-02-24 10:47:04' : 'Feb/24/2025 10:47:04',
      'free-memory': '912723968', 'total-memory': '1073741824', cpu: 'QEMU', 'cpu-count': '1', 'cpu-load': '0',
      'free-hdd-space': '93290496', 'total-hdd-space': '100663296', 'architecture-name': v7 ? 'x86_64' : 'x86',
      'board-name': 'CHR', platform: 'MikroTik',
    };
  }

  /** Items named by `.id` or `numbers` (a comma list; a name works too): all of them, or `no such item`. */
  private resolve(menu: Menu, attrs: Fields): Fields[] {
    const refs = (attrs['.id'] ?? attrs.numbers ?? '').split(',');
    const visible = this.visible(menu);
    return refs.map((ref) => {
      const item = visible.find((i) => i['.id'] === ref || i.name === ref);
      if (!item) throw new Trap('no such item', 0);
      return item;
    });
  }

  private checkFields(allowed: Set<string>, attrs: Fields): Fields {
    const fields: Fields = {};
    for (const [key, value] of Object.entries(attrs)) {
      if (key === '.id' || key === 'numbers') continue;
      if (!allowed.has(key)) throw new Trap(`unknown parameter ${key}`, 1);
      fields[key] = normaliseValue(key, value);
    }
    return fields;
  }

  private checkProfile(name: string | undefined): void {
    if (name !== undefined && !this.tables[MENU.profile].all().some((p) => p.name === name)) {
      throw new Trap('input does not match any value of profile', 1);
    }
  }

  private checkUserName(name: string, server: string, except?: Fields): void {
    const clash = this.tables[MENU.user]
      .all()
      .some((u) => u !== except && u.name === name && (u.server === server || u.server === 'all' || server === 'all'));
    if (clash) throw new Trap('failure: already have user with this name for this server', 1);
  }

  private addUser(attrs: Fields): string {
    const fields = this.checkFields(USER_FIELDS, attrs);
    if (!fields.name) throw new Trap('failure: name must be specified', 1);
    const server = fields.server ?? 'all';
    this.checkUserName(fields.name, server);
    this.checkProfile(fields.profile);
    const { name, password, profile, disabled, comment, ...rest } = fields;
    return this.tables[MENU.user].insert({
      server, name, ...(password !== undefined && { password }), profile: profile ?? 'default', ...rest,
      uptime: '0s', 'bytes-in': '0', 'bytes-out': '0', 'packets-in': '0', 'packets-out': '0', dynamic: 'false',
      disabled: disabled ?? 'false', ...(comment !== undefined && { comment }),
    })['.id'];
  }

  private addProfile(attrs: Fields): string {
    const fields = this.checkFields(PROFILE_FIELDS, attrs);
    if (!fields.name) throw new Trap('failure: name must be specified', 1);
    if (this.tables[MENU.profile].all().some((p) => p.name === fields.name)) {
      throw new Trap('failure: profile with the same name already exists', 1);
    }
    const defaults = {
      'idle-timeout': 'none', 'keepalive-timeout': '2m', 'status-autorefresh': '1m', 'shared-users': '1',
      'add-mac-cookie': 'false',
    };
    // The first profile (`*0`) is the router's built-in `default`.
    const isDefault = String(this.tables[MENU.profile].all().length === 0);
    return this.tables[MENU.profile].insert({ ...defaults, ...fields, default: isDefault })['.id'];
  }

  private update(menu: typeof MENU.user | typeof MENU.profile, item: Fields, attrs: Fields): void {
    const fields = this.checkFields(menu === MENU.user ? USER_FIELDS : PROFILE_FIELDS, attrs);
    if (menu === MENU.user) {
      if (fields.name !== undefined) this.checkUserName(fields.name, fields.server ?? item.server, item);
      this.checkProfile(fields.profile);
    }
    Object.assign(item, fields);
  }

  private remove(menu: Menu, item: Fields): void {
    this.tables[menu].delete(item);
    this.settling.delete(item['.id']);
    if (menu === MENU.active) {
      const host = this.tables[MENU.host].all().find((h) => h['mac-address'] === item['mac-address']);
      if (host) host.authorized = 'false';
    }
  }

  /** The host a login names by `ip` (address or to-address) and/or `mac-address`. */
  private loginHost(attrs: Fields): Fields {
    const hosts = this.tables[MENU.host].all();
    const mac = attrs['mac-address'] === undefined ? undefined : normaliseValue('mac-address', attrs['mac-address']);
    if (attrs.ip === undefined) {
      if (mac === undefined) throw new Trap('invalid value for argument ip', 1);
      const host = hosts.find((h) => h['mac-address'] === mac);
      if (!host) throw new Trap(`unknown host MAC ${mac}`);
      return host;
    }
    if (!IPV4.test(attrs.ip)) throw new Trap('invalid value for argument ip', 1);
    const host = hosts.find((h) => h.address === attrs.ip || h['to-address'] === attrs.ip);
    if (!host) throw new Trap(`unknown host IP ${attrs.ip}`);
    if (mac !== undefined && host['mac-address'] !== mac) throw new Trap('wrong MAC provided');
    return host;
  }

  /** `/ip/hotspot/active/login`: the device must be a known host; the user must exist, match and be enabled. */
  private login(attrs: Fields): void {
    const host = this.loginHost(attrs);
    const sessions = this.tables[MENU.active].all();
    if (sessions.some((s) => s['mac-address'] === host['mac-address'])) throw new Trap('already logged in');
    const user = this.tables[MENU.user].all().find((u) => u.name === attrs.user);
    if (!user || (user.password ?? '') !== (attrs.password ?? '')) throw new Trap('invalid username or password');
    if (user.disabled === 'true') throw new Trap(`user ${user.name} is disabled`);
    const boundMac = user['mac-address'];
    if (boundMac && boundMac !== '00:00:00:00:00:00' && boundMac !== host['mac-address']) {
      throw new Trap(`user ${user.name} is not allowed to log in from this MAC address`);
    }
    const profile = this.tables[MENU.profile].all().find((p) => p.name === user.profile);
    const shared = profile?.['shared-users'] ?? '1';
    if (shared !== 'unlimited' && sessions.filter((s) => s.user === user.name).length >= Number(shared)) {
      throw new Trap('no more sessions are allowed for user');
    }
    const session = this.tables[MENU.active].insert({
      server: host.server, user: user.name, domain: '', address: host.address, 'to-address': host['to-address'],
      'mac-address': host['mac-address'], uptime: '0s', 'idle-time': '0s', 'bytes-in': '0', 'bytes-out': '0',
      'packets-in': '0', 'packets-out': '0', radius: 'false',
      ...(user['limit-uptime'] && user['limit-uptime'] !== '0s' && { 'session-time-left': user['limit-uptime'] }),
    });
    if (this.loginSettleMs > 0) this.settling.set(session['.id'], Date.now() + this.loginSettleMs);
    host.authorized = 'true';
    if (profile?.['add-mac-cookie'] === 'true') {
      this.tables[MENU.cookie].insert({
        user: user.name, domain: '', 'mac-address': host['mac-address'],
        'expires-in': profile['mac-cookie-timeout'] ?? '3d',
      });
    }
  }
}
