import {
  isHotspotPassword,
  isHotspotUsername,
  isIPv4,
  isMacAddress,
  normalizeMac,
} from '../../domain/network';
import { formatRouterDuration } from '../../domain/durations';
import type { RouterOsRow } from './client';
import { isRouterOsError, RouterOsError } from './errors';

/**
 * What the hotspot operations send and read back: the menus, every value checked and turned into API words before a
 * single word is sent, and the rows the router prints turned into our shapes. The operations themselves are in
 * hotspot.ts.
 */

export const USER = '/ip/hotspot/user';
export const PROFILE = '/ip/hotspot/user/profile';
export const ACTIVE = '/ip/hotspot/active';
export const HOST = '/ip/hotspot/host';
export const COOKIE = '/ip/hotspot/cookie';

export const USER_PROPS = '=.proplist=.id,name,server,profile,disabled,comment,limit-uptime,uptime,mac-address';
const ITEM_REF = /^\*[0-9A-Fa-f]{1,16}$/;
// eslint-disable-next-line no-control-regex -- excluding control characters is the point
const COMMENT = /^[^\x00-\x1f\x7f]{1,255}$/;
/** Ten years: far beyond any plan, well inside what RouterOS accepts. */
const MAX_UPTIME_SECONDS = 10 * 366 * 86400;

/** Text fields of `HotspotProfileInfo` → RouterOS property (RouterOS names them with dashes, never underscores). */
export const PROFILE_TEXT = {
  rateLimit: 'rate-limit',
  sessionTimeout: 'session-timeout',
  idleTimeout: 'idle-timeout',
  keepaliveTimeout: 'keepalive-timeout',
  statusAutorefresh: 'status-autorefresh',
  sharedUsers: 'shared-users',
  addressList: 'address-list',
  macCookieTimeout: 'mac-cookie-timeout',
} as const;
export const PROFILE_PROPLIST = `=.proplist=${['.id', 'name', ...Object.values(PROFILE_TEXT), 'add-mac-cookie'].join(',')}`;

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
  /** A device logged in as another user is logged out of that session first (a new purchase replaces its access). */
  replaceSession?: boolean;
}

export interface DeviceLoginResult {
  loggedIn: boolean;
  ip?: string;
  mac?: string;
  /** `.id` of the confirmed `/ip/hotspot/active` session. */
  sessionRef?: string;
  /** The user whose session the device was logged out of first (`replaceSession`). */
  replacedUser?: string;
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

export const invalid = (what: string) => new RouterOsError('invalid_argument', `invalid ${what}`);

export function username(value: string): string {
  if (!isHotspotUsername(value)) throw invalid('hotspot user name');
  return value;
}

/** An empty password (PIN users) is left out: RouterOS rejects empty attribute values in some commands. */
export function passwordWords(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  if (!isHotspotPassword(value)) throw invalid('hotspot password');
  return [`=password=${value}`];
}

export function macAddress(value: string): string {
  if (!isMacAddress(value)) throw invalid('MAC address');
  return normalizeMac(value);
}

export function ipv4(value: string): string {
  if (!isIPv4(value)) throw invalid('IPv4 address');
  return value;
}

export function comment(value: string, what = 'comment tag'): string {
  if (!COMMENT.test(value)) throw invalid(what);
  return value;
}

export function itemRef(value: string): string {
  if (!ITEM_REF.test(value)) throw invalid('RouterOS item reference');
  return value;
}

export function limitUptimeWords(seconds: number | undefined): string[] {
  if (seconds === undefined) return [];
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_UPTIME_SECONDS) throw invalid('limit-uptime');
  return [`=limit-uptime=${formatRouterDuration(seconds)}`];
}

export const flag = (value: string | undefined) => (value === undefined ? null : value === 'true' || value === 'yes');

export function toUser(row: RouterOsRow): HotspotUser {
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

export function toHost(row: RouterOsRow): HotspotHost {
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

export const isNotFound = (error: unknown) => isRouterOsError(error) && error.kind === 'not_found';
