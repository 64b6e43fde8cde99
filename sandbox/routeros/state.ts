import {
  addressAllowed,
  CONFIG_MENUS,
  defaultConfigItems,
  LOGIN_METHODS,
  normaliseAddressList,
  normaliseNameList,
  POLICIES_V6,
  POLICIES_V7,
  type MenuSpec,
} from './config-menus';
import { formatDuration, parseDurationSeconds } from './durations';

/**
 * What a MikroTik router holds for the hotspot, and how its API commands change it. Messages are the real router's
 * where they are known (MikroTik's documentation, wire dumps); the rest are marked as guesses in sandbox/routeros/README.md.
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
  group: '/user/group',
  apiUser: '/user',
  service: '/ip/service',
  server: '/ip/hotspot',
  serverProfile: '/ip/hotspot/profile',
  walledGarden: '/ip/hotspot/walled-garden',
  walledGardenIp: '/ip/hotspot/walled-garden/ip',
  file: '/file',
} as const;
export type Menu = (typeof MENU)[keyof typeof MENU];

const HOTSPOT_SERVER = 'hotspot1';
const MAC = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DURATION_FIELDS = new Set(['limit-uptime', 'session-timeout', 'mac-cookie-timeout', 'status-autorefresh']);
const DURATION_OR_NONE_FIELDS = new Set(['idle-timeout', 'keepalive-timeout']);
const BOOLEAN_FIELDS = new Set(['disabled', 'add-mac-cookie', 'transparent-proxy', 'use-radius', 'split-user-domain', 'https-redirect']);
const ENUM_FIELDS: Record<string, Record<string, readonly string[]>> = {
  '/ip/hotspot/walled-garden': { action: ['allow', 'deny'] },
  '/ip/hotspot/walled-garden/ip': { action: ['accept', 'drop', 'reject'], protocol: ['tcp', 'udp', 'icmp'] },
  '/ip/service': { 'tls-version': ['any', 'only-1.2', 'only-1.3'] },
};
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
  /** Answer `add` with a bare `!done`, as some menus did on older v7. */
  omitAddRet?: boolean;
}

/** The router's hotspot tables and the API commands that act on them. */
export class RouterState {
  version: string;
  identity: string;
  loginSettleMs: number;
  omitAddRet: boolean;
  private readonly startedAt = Date.now();
  private readonly tables = Object.fromEntries(
    Object.values(MENU).map((menu) => [menu, new Table(menu === MENU.profile ? 0 : 1)]),
  ) as Record<Menu, Table>;
  /** `:global` variables of scripts run on this router; they outlive a script, as on RouterOS until a reboot. */
  readonly globals = new Map<string, unknown>();
  /** Sessions not yet visible (see loginSettleMs): id → epoch ms when they appear. */
  private readonly settling = new Map<string, number>();

  constructor(options: RouterStateOptions = {}) {
    this.version = options.version ?? '7.18';
    this.identity = options.identity ?? 'MikroTik';
    this.loginSettleMs = options.loginSettleMs ?? 0;
    this.omitAddRet = options.omitAddRet ?? false;
    for (const profile of DEFAULT_PROFILES) this.add(MENU.profile, profile);
    for (const [menu, items] of Object.entries(defaultConfigItems())) {
      for (const item of items) this.tables[menu as Menu].insert(item);
    }
  }

  /** An API account (`/user`) in `group` (default `full`), as `users` of the simulator options create. */
  addApiUser(name: string, password: string, group = 'full'): void {
    this.addConfig(MENU.apiUser, { name, password, group });
  }

  /**
   * An API login: the account exists and is enabled, the password matches, its group has the `api` policy and the
   * client's address is inside the account's `address` list. Returns the group's policies, or undefined.
   */
  authenticate(name: string, password: string | undefined, clientAddress: string): Set<string> | undefined {
    const user = this.tables[MENU.apiUser].all().find((u) => u.name === name);
    if (!user || user.disabled === 'true' || (password !== undefined && user.password !== password)) return undefined;
    if (!addressAllowed(user.address, clientAddress)) return undefined;
    const policies = this.policiesOf(user);
    return policies.has('api') ? policies : undefined;
  }

  /** The stored password of an API account (the pre-6.43 challenge login hashes it). */
  apiPassword(name: string): string | undefined {
    return this.tables[MENU.apiUser].all().find((u) => u.name === name)?.password;
  }

  /** Whether the `api` (or `api-ssl`) service takes a connection from this address: enabled, and `address` allows it. */
  serviceAccepts(service: 'api' | 'api-ssl', clientAddress: string): boolean {
    const row = this.tables[MENU.service].all().find((s) => s.name === service);
    return row !== undefined && row.disabled !== 'true' && addressAllowed(row.address, clientAddress);
  }

  private policiesOf(user: Fields): Set<string> {
    const group = this.tables[MENU.group].all().find((g) => g.name === user.group);
    return new Set((group?.policy ?? '').split(',').filter(Boolean));
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

  /**
   * Runs one API command after login (`/login`, `/quit`, `/cancel` are the connection's). Throws Trap for `!trap`.
   * `policies` are the logged-in account's group policies (omitted: everything is allowed, as for `full`).
   */
  execute({ command, attrs, queries }: ParsedCommand, policies?: ReadonlySet<string>): CommandResult {
    const slash = command.lastIndexOf('/');
    const [menu, verb] = [command.slice(0, slash), command.slice(slash + 1)];
    const reads = verb === 'print' || verb === 'getall';
    // Changing API accounts is user management: `policy` on top of `write`.
    const needed = reads ? ['read'] : menu.startsWith('/user') ? ['write', 'policy'] : ['write'];
    if (policies && !needed.every((p) => policies.has(p))) throw new Trap('not enough permissions (9)', 4);
    if (command === '/system/identity/print') return this.print([{ name: this.identity }], attrs, queries);
    if (command === '/system/resource/print') return this.print([this.resource()], attrs, queries);
    if (!(menu in this.tables)) throw new Trap('no such command prefix', 0);
    const table = menu as Menu;
    const spec = CONFIG_MENUS[table] as MenuSpec | undefined;
    if (spec) return this.executeConfig(table, spec, verb, attrs, queries);
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

  /** print/add/set/remove (and enable/disable) of a configuration menu, by its spec. */
  private executeConfig(menu: Menu, spec: MenuSpec, verb: string, attrs: Fields, queries: string[]): CommandResult {
    const changes = verb !== 'print' && verb !== 'getall';
    if (changes && spec.readOnly) throw new Trap('no such command prefix', 0);
    switch (verb) {
      case 'print':
      case 'getall': {
        const hidden = spec.hidden ?? new Set<string>();
        const rows = this.visible(menu).map((item) => Object.fromEntries(Object.entries(item).filter(([k]) => !hidden.has(k))));
        return this.print(rows, attrs, queries);
      }
      case 'add':
        if (spec.fixed) break;
        return { rows: [], done: this.omitAddRet ? {} : { ret: this.addConfig(menu, attrs) } };
      case 'set':
        for (const item of this.resolve(menu, attrs)) this.updateConfig(menu, item, attrs);
        return { rows: [], done: {} };
      case 'enable':
      case 'disable':
        for (const item of this.resolve(menu, attrs)) item.disabled = String(verb === 'disable');
        return { rows: [], done: {} };
      case 'remove':
        if (spec.fixed) break;
        for (const item of this.resolve(menu, attrs)) this.tables[menu].delete(item);
        return { rows: [], done: {} };
    }
    throw new Trap('no such command prefix', 0);
  }

  /** Checks and normalises the fields of a configuration item (trap on the first bad one). */
  private configFields(menu: Menu, spec: MenuSpec, attrs: Fields, existing?: Fields): Fields {
    const fields: Fields = {};
    for (const [key, value] of Object.entries(attrs)) {
      if (key === '.id' || key === 'numbers') continue;
      if (!spec.fields.has(key)) throw new Trap(`unknown parameter ${key}`, 1);
      if (existing && spec.readOnlyFields?.has(key) && existing[key] !== value) throw new Trap(`failure: ${key} can not be changed`, 1);
      fields[key] = this.configValue(menu, key, value);
    }
    for (const [field, target] of Object.entries(spec.references ?? {})) {
      if (fields[field] !== undefined && !this.tables[target as Menu].all().some((i) => i.name === fields[field])) {
        throw new Trap(`input does not match any value of ${field}`, 1);
      }
    }
    if (spec.unique && fields[spec.unique] !== undefined) {
      const clash = this.tables[menu].all().some((i) => i !== existing && i[spec.unique!] === fields[spec.unique!]);
      if (clash) throw new Trap(spec.duplicateMessage ?? 'failure: item with the same name already exists', 1);
    }
    return fields;
  }

  private configValue(menu: Menu, field: string, value: string): string {
    const invalid = () => new Trap(`invalid value for argument ${field}`, 1);
    const choices = ENUM_FIELDS[menu]?.[field];
    if (choices) {
      if (!choices.includes(value)) throw invalid();
      return value;
    }
    if (field === 'policy') {
      const list = normaliseNameList(value, versionAtLeast(this.version, '7') ? POLICIES_V7 : POLICIES_V6);
      if (list === undefined) throw new Trap('input does not match any value of policy', 1);
      return list;
    }
    if (field === 'login-by') {
      const list = normaliseNameList(value, LOGIN_METHODS);
      if (list === undefined) throw new Trap('input does not match any value of login-by', 1);
      return list;
    }
    if (field === 'address' || field === 'src-address') {
      const list = normaliseAddressList(value);
      if (list === undefined) throw invalid();
      return list;
    }
    if (field === 'port' || field === 'dst-port') {
      if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw invalid();
      return String(Number(value));
    }
    if (field === 'http-cookie-lifetime') {
      const seconds = parseDurationSeconds(value);
      if (seconds === undefined) throw invalid();
      return formatDuration(seconds);
    }
    return normaliseValue(field, value);
  }

  private addConfig(menu: Menu, attrs: Fields): string {
    const spec = CONFIG_MENUS[menu];
    const fields = this.configFields(menu, spec, attrs);
    if (spec.unique && !fields[spec.unique]) throw new Trap(`failure: ${spec.unique} must be specified`, 1);
    if (menu === MENU.apiUser && fields.group === undefined) throw new Trap('failure: group must be specified', 1);
    return this.tables[menu].insert({ ...spec.defaults, ...fields })['.id'];
  }

  private updateConfig(menu: Menu, item: Fields, attrs: Fields): void {
    Object.assign(item, this.configFields(menu, CONFIG_MENUS[menu], attrs, item));
  }

  /** Registers a file as uploaded to the router (the hotspot emulation serves its html-directory from these names). */
  putFile(name: string, size: number): void {
    const files = this.tables[MENU.file];
    const existing = files.all().find((f) => f.name === name);
    if (existing) files.delete(existing);
    const dot = name.lastIndexOf('.');
    files.insert({ name, type: dot > name.lastIndexOf('/') ? `${name.slice(dot)} file` : 'directory', size: String(size) });
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
      // 7.10 changed printed dates from `feb/24/2025` to ISO.
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
    const password = attrs.password ?? '';
    this.startSession(this.loginHost(attrs), attrs.user, (stored) => stored === password);
  }

  /**
   * A login through the hotspot's own pages (the login form, by `http-chap` or `http-pap`): the device is the host with
   * this MAC, and `verify` checks the submitted password against the user's (CHAP hashes it with a challenge).
   */
  hotspotLogin(mac: string, username: string, verify: (storedPassword: string) => boolean): void {
    const host = this.tables[MENU.host].all().find((h) => h['mac-address'] === normaliseValue('mac-address', mac));
    if (!host) throw new Trap(`unknown host MAC ${mac}`);
    this.startSession(host, username, verify);
  }

  /** A device back with a MAC cookie (`login-by` has `mac-cookie`): logged in as the cookie's user, if that still can. */
  cookieLogin(mac: string): boolean {
    const normalised = normaliseValue('mac-address', mac);
    const cookie = this.tables[MENU.cookie].all().find((c) => c['mac-address'] === normalised);
    if (!cookie) return false;
    try {
      this.hotspotLogin(normalised, cookie.user, () => true);
      return true;
    } catch (error) {
      if (error instanceof Trap) return false;
      throw error;
    }
  }

  private startSession(host: Fields, username: string | undefined, verify: (storedPassword: string) => boolean): void {
    const sessions = this.tables[MENU.active].all();
    if (sessions.some((s) => s['mac-address'] === host['mac-address'])) throw new Trap('already logged in');
    const user = this.tables[MENU.user].all().find((u) => u.name === username);
    if (!user || !verify(user.password ?? '')) throw new Trap('invalid username or password');
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
    const cookies = this.tables[MENU.cookie];
    if (profile?.['add-mac-cookie'] === 'true' && !cookies.all().some((c) => c.user === user.name && c['mac-address'] === host['mac-address'])) {
      cookies.insert({
        user: user.name, domain: '', 'mac-address': host['mac-address'],
        'expires-in': profile['mac-cookie-timeout'] ?? '3d',
      });
    }
  }
}
