import { setTimeout as sleep } from 'node:timers/promises';
import { isProfileName } from '../../domain/network';
import type { HotspotProfileInfo } from '../../domain/operations';
import type { RouterConnection, RouterOsClient, RouterOsRow } from './client';
import { isRouterOsError, RouterOsError } from './errors';
import {
  ACTIVE,
  comment,
  COOKIE,
  flag,
  HOST,
  invalid,
  ipv4,
  isNotFound,
  itemRef,
  limitUptimeWords,
  macAddress,
  passwordWords,
  PROFILE,
  PROFILE_PROPLIST,
  PROFILE_TEXT,
  toHost,
  toUser,
  USER,
  USER_PROPS,
  username,
  type DeviceLoginInput,
  type DeviceLoginResult,
  type HotspotHost,
  type HotspotUser,
  type HotspotUserInput,
  type HotspotUserTraces,
  type RouterIdentity,
} from './hotspot-words';

/**
 * The hotspot operations of a purchase, over the RouterOS API (`/ip/hotspot/user`, `active`, `host`, `cookie`). Each is
 * idempotent, so an activity retry is harmless. Every value is validated before a single word is sent, and nothing
 * ever becomes a script (a customer's text run as a router script would run anything on the router). Users are looked
 * up with `?name=` and `.proplist`, never by printing the whole table (routers hold thousands).
 *
 * Over 300 lines because it is every hotspot command we send, side by side, so their shared checks stay one (the words
 * and row shapes are in hotspot-words.ts).
 */

export interface HotspotOperationsOptions {
  /** How long loginDevice waits for the new session to show in `/ip/hotspot/active`. Default 5 s. */
  loginConfirmMs?: number;
  /** Pause between two looks at `/ip/hotspot/active`. Default 250 ms. */
  loginPollMs?: number;
}

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
   * `.id` (`no such item`) falls back to a lookup by name (which may be given as a function: fetched only then).
   * ROUTER_NOT_FOUND when the user does not exist at all.
   */
  async setUserEnabled(
    router: RouterConnection,
    user: { ref?: string | null; name: string | (() => Promise<string>) },
    enabled: boolean,
    options: { limitUptimeSeconds?: number } = {},
  ): Promise<{ ref: string }> {
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
    const name = username(typeof user.name === 'string' ? user.name : await user.name());
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
    let replacedUser: string | undefined;
    for (;;) {
      try {
        await this.client.command(router, `${ACTIVE}/login`, [
          `=user=${name}`,
          ...password,
          `=ip=${ip}`,
          ...(mac === undefined ? [] : [`=mac-address=${mac}`]),
        ]);
        alreadyIn = false;
        break;
      } catch (error) {
        const trap = isRouterOsError(error) ? error.details.trap : undefined;
        if (trap === undefined) throw error;
        alreadyIn = /already logged in/i.test(trap);
        if (!alreadyIn) return { loggedIn: false, ip, mac, reason: 'login_failed', error: trap, replacedUser };
        // Once: a session that comes back at once is not ours to fight over.
        if (!input.replaceSession || replacedUser !== undefined) break;
        replacedUser = await this.endDeviceSession(router, name, { ip, mac });
        if (replacedUser === undefined) break;
      }
    }
    // Already logged in: the session is there now or it is someone else's, so one look is enough.
    const sessionRef = await this.awaitSession(router, name, { ip, mac }, alreadyIn ? 0 : this.loginConfirmMs);
    if (sessionRef) return { loggedIn: true, ip, mac, sessionRef, replacedUser };
    return { loggedIn: false, ip, mac, reason: 'timeout', error: 'the session did not show in /ip/hotspot/active', replacedUser };
  }

  /**
   * Logs the device out of its session as a user other than `name` (`/ip/hotspot/active/remove` of its entry, found by
   * MAC, or by address without one); returns that user, or undefined when the device's session is already `name`'s
   * or there is none.
   */
  private async endDeviceSession(router: RouterConnection, name: string, device: { ip: string; mac?: string }): Promise<string | undefined> {
    const query = device.mac === undefined ? [`?address=${device.ip}`, `?to-address=${device.ip}`, '?#|'] : [`?mac-address=${device.mac}`];
    const rows = await this.client.command(router, `${ACTIVE}/print`, ['=.proplist=.id,user', ...query]);
    const other = rows.find((row) => row.user !== name);
    if (!other || rows.some((row) => row.user === name)) return undefined;
    try {
      await this.client.command(router, `${ACTIVE}/remove`, [`=.id=${itemRef(other['.id'])}`]);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return other.user;
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
