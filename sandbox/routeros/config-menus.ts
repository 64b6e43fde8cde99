/**
 * The router configuration our setup script touches besides hotspot users: API users and groups, IP services, hotspot
 * servers and their profiles, the walled garden and the file list. Each menu is described by a spec (fields, defaults,
 * checks); RouterState applies the specs for `add`, `set`, `remove` and `print` alike, over the API and in scripts.
 */

export type Fields = Record<string, string>;

/** RouterOS group policies. `rest-api` exists from v7 only. */
export const POLICIES_V6 = [
  'local', 'telnet', 'ssh', 'ftp', 'reboot', 'read', 'write', 'policy', 'test', 'winbox', 'password', 'web', 'sniff',
  'sensitive', 'api', 'romon', 'dude',
] as const;
export const POLICIES_V7 = [...POLICIES_V6, 'rest-api'] as const;

export const LOGIN_METHODS = ['mac', 'cookie', 'http-chap', 'https', 'http-pap', 'trial', 'mac-cookie'] as const;

export interface MenuSpec {
  fields: ReadonlySet<string>;
  /** What a new item holds unless given. */
  defaults: Fields;
  /** The field that names an item; a second item with the same value is refused. */
  unique?: string;
  /** The trap for a duplicate `unique` value. */
  duplicateMessage?: string;
  /** Items are built in: they can be set, never added or removed (services). */
  fixed?: boolean;
  /** Only print works (the file list is changed by uploads, not by commands). */
  readOnly?: boolean;
  /** Field → the menu whose `name` it must match (a group, a profile). */
  references?: Record<string, string>;
  /** Fields never printed (API user passwords). */
  hidden?: ReadonlySet<string>;
  /** Fields that cannot be changed once the item exists (a service's name). */
  readOnlyFields?: ReadonlySet<string>;
}

const set = (...names: string[]) => new Set(names);

export const CONFIG_MENUS: Record<string, MenuSpec> = {
  '/user/group': {
    fields: set('name', 'policy', 'skin', 'comment'),
    defaults: { policy: '', skin: 'default', comment: '' },
    unique: 'name',
    duplicateMessage: 'failure: group with the same name already exists',
  },
  '/user': {
    fields: set('name', 'group', 'password', 'address', 'comment', 'disabled'),
    defaults: { address: '', comment: '', disabled: 'false' },
    unique: 'name',
    duplicateMessage: 'failure: user with the same name already exists',
    references: { group: '/user/group' },
    hidden: set('password'),
  },
  '/ip/service': {
    fields: set('name', 'port', 'address', 'disabled', 'certificate', 'tls-version', 'vrf'),
    defaults: {},
    fixed: true,
    readOnlyFields: set('name'),
  },
  '/ip/hotspot': {
    fields: set('name', 'interface', 'address-pool', 'profile', 'disabled', 'idle-timeout', 'keepalive-timeout', 'addresses-per-mac'),
    defaults: { 'address-pool': 'none', disabled: 'false', 'idle-timeout': '5m', 'keepalive-timeout': 'none', 'addresses-per-mac': '2' },
    unique: 'name',
    duplicateMessage: 'failure: server with the same name already exists',
    references: { profile: '/ip/hotspot/profile' },
  },
  '/ip/hotspot/profile': {
    fields: set(
      'name', 'hotspot-address', 'dns-name', 'html-directory', 'html-directory-override', 'login-by', 'http-cookie-lifetime',
      'http-proxy', 'smtp-server', 'split-user-domain', 'use-radius', 'rate-limit', 'mac-auth-mode', 'trial-uptime-limit',
      'https-redirect', 'ssl-certificate',
    ),
    defaults: {
      'html-directory': 'hotspot', 'login-by': 'cookie,http-chap', 'http-cookie-lifetime': '3d', 'use-radius': 'false',
      'split-user-domain': 'false', 'https-redirect': 'true',
    },
    unique: 'name',
    duplicateMessage: 'failure: profile with the same name already exists',
  },
  '/ip/hotspot/walled-garden': {
    fields: set('action', 'dst-host', 'dst-port', 'path', 'method', 'server', 'src-address', 'comment', 'disabled'),
    defaults: { action: 'allow', disabled: 'false' },
  },
  '/ip/hotspot/walled-garden/ip': {
    fields: set('action', 'dst-host', 'dst-address', 'dst-port', 'protocol', 'server', 'src-address', 'comment', 'disabled'),
    defaults: { action: 'accept', disabled: 'false' },
  },
  '/file': {
    fields: set('name', 'type', 'size'),
    defaults: {},
    readOnly: true,
  },
};

/** What a fresh router has in these menus (a CHR after `/ip hotspot setup`: one server, `hsprof1`). */
export function defaultConfigItems(): Record<string, Fields[]> {
  return {
    '/user/group': [
      { name: 'read', policy: 'local,telnet,ssh,reboot,read,test,winbox,password,web,sniff,sensitive,api,romon', skin: 'default', comment: '' },
      { name: 'write', policy: 'local,telnet,ssh,reboot,read,write,test,winbox,password,web,sniff,sensitive,api,romon', skin: 'default', comment: '' },
      { name: 'full', policy: POLICIES_V6.join(','), skin: 'default', comment: '' },
    ],
    '/user': [],
    '/ip/service': [
      ['telnet', '23'], ['ftp', '21'], ['www', '80'], ['ssh', '22'], ['www-ssl', '443'], ['api', '8728'], ['winbox', '8291'],
      ['api-ssl', '8729'],
    ].map(([name, port]) => ({
      name, port, address: '', disabled: String(name === 'www-ssl'), ...(name.endsWith('-ssl') ? { certificate: 'none', 'tls-version': 'any' } : {}),
    })),
    '/ip/hotspot/profile': [
      { name: 'default', 'hotspot-address': '0.0.0.0', 'dns-name': '', ...CONFIG_MENUS['/ip/hotspot/profile'].defaults },
      { name: 'hsprof1', 'hotspot-address': '10.5.50.1', 'dns-name': '', ...CONFIG_MENUS['/ip/hotspot/profile'].defaults },
    ],
    '/ip/hotspot': [{ name: 'hotspot1', interface: 'bridge-hotspot', profile: 'hsprof1', ...CONFIG_MENUS['/ip/hotspot'].defaults, 'address-pool': 'hs-pool-1' }],
    '/ip/hotspot/walled-garden': [],
    '/ip/hotspot/walled-garden/ip': [],
    '/file': [
      { name: 'hotspot', type: 'directory', size: '0' },
      ...['login.html', 'alogin.html', 'status.html', 'logout.html', 'error.html', 'redirect.html', 'rlogin.html', 'md5.js'].map(
        (file) => ({ name: `hotspot/${file}`, type: file.endsWith('.js') ? '.js file' : '.html file', size: '1024' }),
      ),
    ],
  };
}

/** `a,b` lists of names from `allowed`, given with or without a `!` (off); returns the ones on, in RouterOS order. */
export function normaliseNameList(value: string, allowed: readonly string[]): string | undefined {
  const on = new Set<string>();
  for (const word of value.split(',').map((w) => w.trim()).filter(Boolean)) {
    const name = word.replace(/^!/, '');
    if (!allowed.includes(name)) return undefined;
    if (!word.startsWith('!')) on.add(name);
  }
  return allowed.filter((name) => on.has(name)).join(',');
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** `10.0.0.1`, `10.0.0.0/8` → [network as a number, prefix length]; undefined for anything else. */
function parsePrefix(text: string): [number, number] | undefined {
  const [ip, bits = '32'] = text.split('/');
  if (!IPV4.test(ip) || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) return undefined;
  const value = ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  return [value, Number(bits)];
}

/** A comma list of IPv4 addresses and prefixes (`address=` of users and services), normalised; undefined if bad. */
export function normaliseAddressList(value: string): string | undefined {
  const items = value.split(',').map((w) => w.trim()).filter(Boolean);
  if (!items.every((item) => parsePrefix(item) !== undefined)) return undefined;
  return items.map((item) => (item.includes('/') ? item : `${item}/32`)).join(',');
}

/** Whether `address` is inside a normalised address list; an empty list allows everyone (RouterOS's meaning). */
export function addressAllowed(list: string, address: string): boolean {
  if (list === '') return true;
  const client = parsePrefix(address.replace(/^::ffff:/, ''));
  if (!client) return false;
  return list.split(',').some((item) => {
    const [network, bits] = parsePrefix(item)!;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return ((client[0] & mask) >>> 0) === ((network & mask) >>> 0);
  });
}
