import { DomainError, type ErrorCode } from './errors';

/**
 * Contracts of the short operations the API asks the worker to run (through Temporal) because they touch a router or
 * a gateway: the API itself never does.
 */

/** A hotspot user profile as read from the router, every field the router printed. */
export interface HotspotProfileInfo {
  id: string;
  name: string;
  rateLimit: string | null;
  sessionTimeout: string | null;
  idleTimeout: string | null;
  keepaliveTimeout: string | null;
  statusAutorefresh: string | null;
  sharedUsers: string | null;
  addressList: string | null;
  macCookieTimeout: string | null;
  addMacCookie: boolean | null;
}

/** A failure the API can show: a code and a safe message (never a router address or a stack). */
export interface OperationFailure {
  ok: false;
  code: ErrorCode;
  message: string;
}

/** The result of an operation that succeeded; a failure is thrown as the DomainError it names. */
export function succeeded<T extends { ok: true }>(result: T | OperationFailure, prefix = ''): T {
  if (!result.ok) throw new DomainError(result.code, `${prefix}${result.message}`);
  return result;
}

export type RouterProbeResult =
  | { ok: true; identity: string; version: string; majorVersion: number; profiles: HotspotProfileInfo[]; latencyMs: number }
  | OperationFailure;

export type NotificationTestResult = { ok: true } | OperationFailure;

export type ConektaWebhookKeyResult = { ok: true; keyId: string; publicKey: string } | OperationFailure;

/** Who asked for an admin action on a purchase (recorded in its history and the audit log). */
export interface Actor {
  userId: number;
  email: string;
}
