import { setTimeout as sleep } from 'node:timers/promises';
import {
  isHotspotPassword,
  isHotspotUsername,
  isIPv4,
  isMacAddress,
  isProfileName,
  normalizeMac,
} from '../../domain/network';
import { formatRouterDuration } from '../../domain/durations';
import type { HotspotProfileInfo } from '../../domain/operations';
import type { RouterConnection, RouterOsClient, RouterOsRow } from './client';
import { isRouterOsError, RouterOsError } from './errors';

/**
 * The hotspot operations of a purchase, over the RouterOS API (`/ip/hotspot/user`, `active`, `host`, `cookie`). Each is
 * idempotent, so an activity retry is harmless. Every value is validated before a single word is sent, and nothing
 * ever becomes a script (a customer's text run as a router script would run anything on the router). Users are looked
 * up with `?name=` and `.proplist`, never by printing the whole table (routers hold thousands).
 */

const USER = '/ip/hotspot/user';
const PROFILE = '/ip/hotspot/user/profile';
const ACTIVE = '/ip/hotspot/active';
const HOST = '/ip/hotspot/host';
const COOKIE = '/ip/hotspot/cookie';

const USER_PROPS = '=.proplist=.id,name,server,profile,disabled,comment,limit-uptime,uptime,mac-address';
const ITEM_REF = /^\*[0-9A-Fa-f]{1,16}$/;
// eslint-disable-next-line no-control-regex -- excluding control characters is the point
const COMMENT = /^[^\x00-\x1f\x7f]{1,255}$/;
/** Ten years: far beyond any plan, well inside what RouterOS accepts. */
const MAX_UPTIME_SECONDS = 10 * 366 * 86400;

/** Text fields of `HotspotProfileInfo` → RouterOS property (RouterOS names them with dashes, never underscores). */
const PROFILE_TEXT = {
  rateLimit: 'rate-limit',
  sessionTimeout: 'session-timeout',
  idleTimeout: 'idle-timeout',
  keepaliveTimeout: 'keepalive-timeout',
  statusAutorefresh: 'status-autorefresh',
  sharedUsers: 'shared-users',
  addressList: 'address-list',
  macCookieTimeout: 'mac-cookie-timeout',
} as const;
const PROFILE_PROPLIST = `=.proplist=${['.id', 'name', ...Object.values(PROFILE_TEXT), 'add-mac-cookie'].join(',')}`;

export interface RouterIdentity {
  name: string;
  /** `7.18`, without the channel (`stable`, `long-term`). */
  version: string;
  majorVersion: number;
}

export interface HotspotUserInput {
  name: string;
  /** Empty or absent for PIN users. */
  password?: string;
  profile: string;
  /** RouterOS `limit-uptime`: total online time; 0 = unlimited. */
  limitUptimeSeconds?: number;
  /** Our ownership tag (e.g. the purchase id): a user with the same name and this comment is ours. */
  comment: string;
  disabled: boolean;
}

export interface HotspotUser {
  /** RouterOS `.id`, e.g. `*1A`. */
  ref: string;
  name: string;
  server: string | null;
  profile: string | null;
  disabled: boolean;
  comment: string | null;
  limitUptime: string | null;
  uptime: string | null;
  macAddress: string | null;
}

export interface HotspotHost {
  ref: string;
  macAddress: string;
  /** The device's own address. */
  address: string | null;
  /** Its address after the hotspot's one-to-one NAT. */
  toAddress: string | null;
  /** The address to log in with: `to-address` when there is one (the hotspot logs in the NAT-ed address), else `address`. */
  ip: string | null;
  authorized: boolean;
}

export interface DeviceLoginInput {
  username: string;
  password?: string;
  mac?: string;
  ip?: string;
}

export interface DeviceLoginResult {
  loggedIn: boolean;
  ip?: string;
  mac?: string;
  /** `.id` of the confirmed `/ip/hotspot/active` session. */
  sessionRef?: string;
  /** Why not: the device is not in the host table, the router refused the login, or the session never showed. */
  reason?: 'no_host' | 'login_failed' | 'timeout';
  /** The router's message when it refused. */
  error?: string;
}

/** What is left of a user on the router; `gone` when nothing is. */
export interface HotspotUserTraces {
  user: boolean;
  sessions: number;
  cookies: number;
  gone: boolean;
}

export interface HotspotOperationsOptions {
  /** How long loginDevice waits for the new session to show in `/ip/hotspot/active`. Default 5 s. */
  loginConfirmMs?: number;
  /** Pause between two looks at `/ip/hotspot/active`. Default 250 ms. */
  loginPollMs?: number;
}

const invalid = (what: string) => new RouterOsError('invalid_argument', `invalid ${what}`);

function username(value: string): string {
  if (!isHotspotUsername(value)) throw invalid('hotspot user name');
  return value;
}

/** An empty password (PIN users) is left out: RouterOS rejects empty attribute values in some commands. */
function passwordWords(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  if (!isHotspotPassword(value)) throw invalid('hotspot password');
  return [`=password=${value}`];
}

function macAddress(value: string): string {
  if (!isMacAddress(value)) throw invalid('MAC address');
  return normalizeMac(value);
}

function ipv4(value: string): string {
  if (!isIPv4(value)) throw invalid('IPv4 address');
  return value;
}

function comment(value: string, what = 'comment tag'): string {
  if (!COMMENT.test(value)) throw invalid(what);
  return value;
}

function itemRef(value: string): string {
  if (!ITEM_REF.test(value)) throw invalid('RouterOS item reference');
  return value;
}

function limitUptimeWords(seconds: number | undefined): string[] {
  if (seconds === undefined) return [];
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_UPTIME_SECONDS) throw invalid('limit-uptime');
  return [`=limit-uptime=${formatRouterDuration(seconds)}`];
}

const flag = (value: string | undefined) => (value === undefined ? null : value === 'true' || value === 'yes');

function toUser(row: RouterOsRow): HotspotUser {
  return {
    ref: row['.id'],
    name: row.name,
    server: row.server ?? null,
    profile: row.profile ?? null,
    disabled: flag(row.disabled) ?? false,
    comment: row.comment ?? null,
    limitUptime: row['limit-uptime'] ?? null,
    uptime: row.uptime ?? null,
    macAddress: row['mac-address'] ?? null,
  };
}

function toHost(row: RouterOsRow): HotspotHost {
  const address = row.address ?? null;
  const toAddress = row['to-address'] ?? null;
  return {
    ref: row['.id'],
    macAddress: row['mac-address'],
    address,
    toAddress,
    ip: toAddress ?? address,
    authorized: flag(row.authorized) ?? false,
  };
}

const isNotFound = (error: unknown) => isRouterOsError(error) && error.kind === 'not_found';

export class HotspotOperations {
  private readonly loginConfirmMs: number;
  private readonly loginPollMs: number;

  constructor(
    private readonly client: RouterOsClient,
    options: HotspotOperationsOptions = {},
  ) {
    this.loginConfirmMs = options.loginConfirmMs ?? 5000;
    this.loginPollMs = options.loginPollMs ?? 250;
  }

  /** Router name and RouterOS version (two commands on the pooled connection, in parallel). */
  async identity(router: RouterConnection): Promise<RouterIdentity> {
    const [identity, resource] = await Promise.all([
      this.client.command(router, '/system/identity/print'),
      this.client.command(router, '/system/resource/print', ['=.proplist=version']),
    ]);
    const version = (resource[0]?.version ?? '').split(' ')[0];
    const major = /^(\d+)\./.exec(version);
    if (!major) {
      throw new RouterOsError('unknown', 'the router reported no recognisable version', { routerId: router.id });
    }
    return { name: identity[0]?.name ?? '', version, majorVersion: Number(major[1]) };
  }

  /** Every hotspot user profile with all the fields we use; a field the router does not print is null. */
  async listProfiles(router: RouterConnection): Promise<HotspotProfileInfo[]> {
    const rows = await this.client.command(router, `${PROFILE}/print`, [PROFILE_PROPLIST]);
    return rows.map((row) => {
      const text = Object.fromEntries(
        Object.entries(PROFILE_TEXT).map(([field, property]) => [field, row[property] ?? null]),
      );
      return {
        id: row['.id'],
        name: row.name,
        ...(text as Record<keyof typeof PROFILE_TEXT, string | null>),
        addMacCookie: flag(row['add-mac-cookie']),
      };
    });
  }

  /**
   * Creates the user in one round trip (`add` returns its `.id`). If the name is taken by a user carrying our
   * comment tag, an earlier attempt made it: success with `created: false`. Anyone else's user is
   * HOTSPOT_USER_CONFLICT (final).
   */
  async createUser(router: RouterConnection, input: HotspotUserInput): Promise<{ ref: string; created: boolean }> {
    if (!isProfileName(input.profile)) throw invalid('profile name');
    const words = [
      `=name=${username(input.name)}`,
      ...passwordWords(input.password),
      `=profile=${input.profile}`,
      ...limitUptimeWords(input.limitUptimeSeconds),
      `=comment=${comment(input.comment)}`,
      `=disabled=${input.disabled ? 'yes' : 'no'}`,
    ];
    let reply: RouterOsRow[];
    try {
      reply = await this.client.command(router, `${USER}/add`, words);
    } catch (error) {
      if (isRouterOsError(error) && error.kind === 'already_exists') return this.adoptExisting(router, input, error);
      throw error;
    }
    const ret = reply.find((row) => row.ret)?.ret;
    if (ret) return { ref: ret, created: true };
    // Some menus and RouterOS versions answer `add` with a bare `!done`, no `ret`: read the id back.
    const user = await this.findUser(router, input.name);
    if (!user) {
      throw new RouterOsError('unknown', 'the router accepted the user but does not list it', { routerId: router.id });
    }
    return { ref: user.ref, created: true };
  }

  private async adoptExisting(
    router: RouterConnection,
    input: HotspotUserInput,
    duplicate: RouterOsError,
  ): Promise<{ ref: string; created: boolean }> {
    const existing = await this.findUser(router, input.name);
    if (existing?.comment === input.comment) return { ref: existing.ref, created: false };
    if (!existing) {
      // Removed between the two commands: nothing is in the way any more, so a retry will create it.
      throw new RouterOsError('unknown', 'the duplicate hotspot user vanished; try again', { routerId: router.id });
    }
    throw new RouterOsError(
      'already_exists',
      `hotspot user ${input.name} already exists and is not this purchase's`,
      { routerId: router.id, command: `${USER}/add`, trap: duplicate.details.trap },
      'HOTSPOT_USER_CONFLICT',
    );
  }

  /** One user by name, with the fields we use (never its password); null when there is none. */
  async findUser(router: RouterConnection, name: string): Promise<HotspotUser | null> {
    const rows = await this.client.command(router, `${USER}/print`, [USER_PROPS, `?name=${username(name)}`]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** Sets the comment of an existing user by its `.id`: how a user created elsewhere takes our ownership tag. */
  async setUserComment(router: RouterConnection, ref: string, value: string): Promise<void> {
    await this.client.command(router, `${USER}/set`, [`=.id=${itemRef(ref)}`, `=comment=${comment(value)}`]);
  }

  /**
   * Enables or disables a user (and optionally sets `limit-uptime`) in one round trip when its `.id` is known; a stale
   * `.id` (`no such item`) falls back to a lookup by name. ROUTER_NOT_FOUND when the user does not exist at all.
   */
  async setUserEnabled(
    router: RouterConnection,
    user: { ref?: string | null; name: string },
    enabled: boolean,
    options: { limitUptimeSeconds?: number } = {},
  ): Promise<{ ref: string }> {
    const name = username(user.name);
    const known = user.ref ? itemRef(user.ref) : undefined;
    const words = [`=disabled=${enabled ? 'no' : 'yes'}`, ...limitUptimeWords(options.limitUptimeSeconds)];
    const set = (ref: string) => this.client.command(router, `${USER}/set`, [`=.id=${ref}`, ...words]);
    if (known) {
      try {
        await set(known);
        return { ref: known };
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    const found = await this.findUser(router, name);
    if (!found) throw new RouterOsError('not_found', `hotspot user ${name} does not exist`, { routerId: router.id });
    await set(found.ref);
    return { ref: found.ref };
  }

  /**
   * Removes the user found by name; with `comment`, only a user carrying that tag (never someone else's). The `.id` is
   * always read fresh: a stale one must never delete another customer's user. A missing user is success.
   */
  async removeUser(router: RouterConnection, user: { name: string; comment?: string }): Promise<{ removed: boolean }> {
    const owner = user.comment === undefined ? [] : [`?comment=${comment(user.comment)}`];
    const query = [`?name=${username(user.name)}`, ...owner];
    return { removed: (await this.removeAll(router, USER, query)) > 0 };
  }

  /** Removes the user (only with our tag `comment`), then its active sessions and its MAC cookies: access gone. */
  async revokeUser(router: RouterConnection, user: { name: string; comment: string }): Promise<{ sessionsEnded: number; cookiesRemoved: number }> {
    await this.removeUser(router, user);
    return { sessionsEnded: await this.endSessions(router, user.name), cookiesRemoved: await this.removeCookies(router, user.name) };
  }

  /** Kicks every active session of the user; returns how many were ended. */
  async endSessions(router: RouterConnection, name: string): Promise<number> {
    return this.removeAll(router, ACTIVE, [`?user=${username(name)}`]);
  }

  /** Removes every MAC cookie of the user, so no device logs back in by itself; returns how many. */
  async removeCookies(router: RouterConnection, name: string): Promise<number> {
    return this.removeAll(router, COOKIE, [`?user=${username(name)}`]);
  }

  /** Prints matching items' ids, then removes each; one that vanished in between was removed by someone else. */
  private async removeAll(router: RouterConnection, menu: string, query: string[]): Promise<number> {
    const rows = await this.client.command(router, `${menu}/print`, ['=.proplist=.id', ...query]);
    const removed = await Promise.all(
      rows.map((row) =>
        this.client.command(router, `${menu}/remove`, [`=.id=${row['.id']}`]).then(
          () => 1,
          (error: unknown) => {
            if (isNotFound(error)) return 0;
            throw error;
          },
        ),
      ),
    );
    return removed.reduce((sum: number, n) => sum + n, 0);
  }

  /** Whether the user, its sessions or its cookies are still on the router: the expiry's proof that access is gone. */
  async confirmUserGone(router: RouterConnection, name: string): Promise<HotspotUserTraces> {
    username(name);
    const count = async (menu: string, query: string) =>
      (await this.client.command(router, `${menu}/print`, ['=.proplist=.id', query])).length;
    const [users, sessions, cookies] = await Promise.all([
      count(USER, `?name=${name}`),
      count(ACTIVE, `?user=${name}`),
      count(COOKIE, `?user=${name}`),
    ]);
    return { user: users > 0, sessions, cookies, gone: users + sessions + cookies === 0 };
  }

  /** The device with this MAC in `/ip/hotspot/host` (it has joined the WiFi), or null. */
  async findHostByMac(router: RouterConnection, mac: string): Promise<HotspotHost | null> {
    const rows = await this.client.command(router, `${HOST}/print`, [
      '=.proplist=.id,mac-address,address,to-address,authorized',
      `?mac-address=${macAddress(mac)}`,
    ]);
    return rows[0] ? toHost(rows[0]) : null;
  }

  /**
   * Logs a device in with `/ip/hotspot/active/login` (its IP looked up from the MAC when missing), then waits, bounded,
   * until the session shows in `/ip/hotspot/active`. A refusal by the router is a result, not an error; "already
   * logged in" is success once the session is confirmed. Connection failures and invalid input throw.
   */
  async loginDevice(router: RouterConnection, input: DeviceLoginInput): Promise<DeviceLoginResult> {
    const name = username(input.username);
    const password = passwordWords(input.password);
    const mac = input.mac === undefined ? undefined : macAddress(input.mac);
    let ip = input.ip === undefined ? undefined : ipv4(input.ip);
    if (ip === undefined) {
      if (mac === undefined) throw invalid('device: a MAC or an IPv4 address is needed');
      const host = await this.findHostByMac(router, mac);
      if (!host?.ip) {
        return { loggedIn: false, mac, reason: 'no_host', error: 'the device is not in the hotspot host table' };
      }
      ip = host.ip;
    }
    let alreadyIn = false;
    try {
      await this.client.command(router, `${ACTIVE}/login`, [
        `=user=${name}`,
        ...password,
        `=ip=${ip}`,
        ...(mac === undefined ? [] : [`=mac-address=${mac}`]),
      ]);
    } catch (error) {
      const trap = isRouterOsError(error) ? error.details.trap : undefined;
      if (trap === undefined) throw error;
      alreadyIn = /already logged in/i.test(trap);
      if (!alreadyIn) return { loggedIn: false, ip, mac, reason: 'login_failed', error: trap };
    }
    // Already logged in: the session is there now or it is someone else's, so one look is enough.
    const sessionRef = await this.awaitSession(router, name, { ip, mac }, alreadyIn ? 0 : this.loginConfirmMs);
    if (sessionRef) return { loggedIn: true, ip, mac, sessionRef };
    return { loggedIn: false, ip, mac, reason: 'timeout', error: 'the session did not show in /ip/hotspot/active' };
  }

  private async awaitSession(
    router: RouterConnection,
    name: string,
    device: { ip: string; mac?: string },
    budgetMs: number,
  ): Promise<string | undefined> {
    const until = Date.now() + budgetMs;
    for (;;) {
      const rows = await this.client.command(router, `${ACTIVE}/print`, [
        '=.proplist=.id,user,address,to-address,mac-address',
        `?user=${name}`,
      ]);
      const session = rows.find((row) =>
        device.mac === undefined
          ? row.address === device.ip || row['to-address'] === device.ip
          : row['mac-address'] === device.mac,
      );
      if (session) return session['.id'];
      const left = until - Date.now();
      if (left <= 0) return undefined;
      await sleep(Math.min(this.loginPollMs, left));
    }
  }

  /**
   * Our users for reconciliation: every user whose comment starts with `prefix`. Reads the whole table, so it is never
   * on the purchase path.
   */
  async listUsersByComment(router: RouterConnection, prefix: string): Promise<HotspotUser[]> {
    comment(prefix, 'comment prefix');
    const rows = await this.client.command(router, `${USER}/print`, [USER_PROPS]);
    return rows.filter((row) => row.comment?.startsWith(prefix)).map(toUser);
  }
}
