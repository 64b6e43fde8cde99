import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDomainError } from '../../domain/errors';
import type { RouterProbeResult } from '../../domain/operations';
import type { AccessTerms, ActivationInput, AutoConnectReport, EnabledUser, ReconnectDeviceInput, ReservedUser } from '../../domain/temporal';
import { type PurchaseEntity, type RouterEntity } from '../../db/entities';
import { purchaseOfHotspotUser, purchaseWithRouter, storeCredentials, storeRouterUserRef } from '../../db/repositories/purchase-path';
import { generateCredentials } from '../../shared/hotspot-credentials';
import type { Logger } from '../../shared/logger';
import type { WorkerMetrics } from '../../shared/metrics';
import type { SecretBox } from '../../shared/secrets';
import { finalFailure, retryableFailure } from '../failures';
import { statusRecorder } from '../store/activities';
import { connectionOf, routerConnection } from './connection';
import { isRouterOsError } from './errors';
import { purchaseTag } from './purchase-tag';
import type { HotspotOperations } from './hotspot';
import type { DeviceLoginResult } from './hotspot-words';
import type { RouterCache } from './router-cache';

export interface RouterActivityDeps {
  dataSource: DataSource;
  secrets: SecretBox;
  hotspot: HotspotOperations;
  /** Routers' rows, for the activities that need a router and not a purchase. */
  routers: Pick<RouterCache, 'get' | 'reload'>;
  logger: Pick<Logger, 'warn' | 'error'>;
  /** Enable records the purchase's activation itself, counted as the store's status changes are. */
  metrics: Pick<WorkerMetrics, 'purchaseStatusChanged'>;
  /** ROUTER_CONNECT_TIMEOUT_SECONDS in ms: a failed probe answers no sooner. */
  routerConnectTimeoutMs: number;
}

/**
 * The one answer to a failed probe. Telling a refused connection, a silent port and a refused login apart would let
 * an admin scan ports from the worker's network; the reason goes to the worker's log.
 */
const PROBE_FAILED = 'No fue posible conectar con el router. Revise la dirección, el puerto, el usuario y la contraseña de la API.';

/** The router activities: the purchase's hotspot user, device logins and router probes. */
export function createRouterActivities(deps: RouterActivityDeps) {
  const tools = routerTools(deps);
  return { ...hotspotUserActivities(deps, tools), ...deviceActivities(deps, tools) };
}

type RouterTools = ReturnType<typeof routerTools>;

/** What the router activities share: the purchase row, the router's connection, the credentials, a device login. */
function routerTools({ dataSource, secrets, hotspot }: RouterActivityDeps) {

  /** The purchase's router's connection, from the row read with the purchase (no second read). */
  const connection = (loaded: { purchase: PurchaseEntity; router: RouterEntity | null }) => connectionOf(secrets, loaded.router, loaded.purchase.routerId);

  /** The purchase and its router, in one read. */
  async function load(purchaseId: string) {
    const loaded = await purchaseWithRouter(dataSource, purchaseId);
    if (!loaded) throw finalFailure('NOT_FOUND', `purchase ${purchaseId} does not exist`);
    return loaded;
  }

  /** The purchase's credentials (the API writes them with the row); fresh ones, stored, when it has none or `replace`. */
  async function credentials(purchase: PurchaseEntity, replace: boolean): Promise<{ username: string; password: string }> {
    if (purchase.hotspotUsername && !replace) {
      return { username: purchase.hotspotUsername, password: secrets.decryptOptional(purchase.hotspotPasswordEncrypted) ?? '' };
    }
    const fresh = generateCredentials(purchase.userType);
    await storeCredentials(dataSource, purchase.id, fresh.username, fresh.password ? secrets.encrypt(fresh.password) : null);
    purchase.hotspotUsername = fresh.username;
    return fresh;
  }

  async function login(loaded: Awaited<ReturnType<typeof load>>, mac: string | null, ip: string | null, replaceSession = false): Promise<AutoConnectReport> {
    if (!mac && !ip) return { requested: true, connected: false, reason: 'no_mac' };
    const { purchase } = loaded;
    let result: DeviceLoginResult;
    try {
      result = await hotspot.loginDevice(connection(loaded), {
        username: purchase.hotspotUsername!,
        password: secrets.decryptOptional(purchase.hotspotPasswordEncrypted),
        mac: mac ?? undefined,
        ip: ip ?? undefined,
        replaceSession,
      });
    } catch (error) {
      const timeout = isDomainError(error) && error.code === 'ROUTER_TIMEOUT';
      return { requested: true, connected: false, mac: mac ?? undefined, ip: ip ?? undefined, reason: timeout ? 'timeout' : 'router_error' };
    }
    const replaced = result.replacedUser === undefined ? null : await purchaseOfHotspotUser(dataSource, purchase.routerId, result.replacedUser);
    return {
      requested: true,
      connected: result.loggedIn,
      mac: result.mac ?? mac ?? undefined,
      ip: result.ip ?? ip ?? undefined,
      reason: result.loggedIn ? undefined : result.reason,
      ...(result.replacedUser === undefined ? {} : { replacedSession: true, ...(replaced ? { replacedPurchase: replaced } : {}) }),
    };
  }

  return { connection, load, credentials, login };
}

/**
 * Access that must go, or be taken over, is never given up on: a router that refuses our login (its API password or
 * certificate changed since the row was saved) is retried like one that is down, until an admin puts the row right.
 * Giving up would leave the user on the router and the purchase open for good.
 */
async function persistently<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isRouterOsError(error) && error.kind === 'login_refused') throw retryableFailure(error);
    throw error;
  }
}

/**
 * The purchase's hotspot user, from its reservation to its removal. Each reads the purchase and the router from the
 * database (no password in workflow history) and is idempotent: the user is tagged with the purchase id, so a retry
 * recognises its own work.
 */
function hotspotUserActivities({ dataSource, secrets, hotspot, routers, logger, metrics }: RouterActivityDeps, { connection, load, credentials }: RouterTools) {
  const recordStatus = statusRecorder(dataSource, metrics);

  /**
   * Writes the purchase `active` (with the passing statuses before it and the router's id of its user) once the router
   * has enabled the user: the access runs from now, by this activity's clock. A purchase an earlier try already made
   * active keeps the times it has. A write that fails never holds the access back: `recorded: false`, and the
   * workflow writes the change itself.
   */
  async function activate(purchaseId: string, validitySeconds: number, input: ActivationInput, routerUserRef: string): Promise<NonNullable<EnabledUser['activation']>> {
    const activatedAt = new Date();
    const times = { activatedAt: activatedAt.toISOString(), expiresAt: new Date(activatedAt.getTime() + validitySeconds * 1000).toISOString() };
    try {
      const result = await recordStatus({ purchaseId, to: 'active', passed: input.passed, notice: input.notice, fields: { ...times, routerUserRef } });
      const earlier = !result.made.includes('active') && result.activatedAt && result.expiresAt;
      return earlier
        ? { activatedAt: result.activatedAt!.toISOString(), expiresAt: result.expiresAt!.toISOString(), routerUserRef, recorded: true }
        : { ...times, routerUserRef, recorded: true };
    } catch (error) {
      logger.error({ err: error, purchaseId }, 'activation not recorded by enable; the workflow records it');
      return { ...times, routerUserRef, recorded: false };
    }
  }

  return {
    /**
     * Creates the purchase's hotspot user, disabled, tagged with the purchase id. A name another user already holds is
     * replaced by fresh credentials; our own user from an earlier attempt is accepted as is. Says whether the purchase
     * could stack onto the device's running purchase (it names the device's MAC and a plan), so the workflow, which
     * reads no row itself, skips looking for one when it cannot; and whether the row's credentials may no longer be
     * those it was written with (replaced now, or by an earlier try of this reservation that did not get to say so:
     * any try but the first local one), so the API reads them back instead of answering with its own copy. The
     * router's id of the user is returned, not stored: enable writes it with the activation.
     */
    async reserveHotspotUser(purchaseId: string): Promise<ReservedUser> {
      const loaded = await load(purchaseId);
      const { purchase } = loaded;
      const router = connection(loaded);
      const { info } = Context.current();
      let credentialsReplaced = !(info.isLocal && info.attempt === 1);
      let creds = await credentials(purchase, false);
      for (let attempt = 0; ; attempt++) {
        try {
          const { ref } = await hotspot.createUser(router, {
            name: creds.username,
            password: creds.password || undefined,
            profile: purchase.profileName,
            comment: purchaseTag(purchaseId),
            disabled: true,
          });
          return { stackable: purchase.clientMac !== null && purchase.productId !== null, routerUserRef: ref, credentialsReplaced, terms: termsOf(purchase) };
        } catch (error) {
          if (!(isDomainError(error) && error.code === 'HOTSPOT_USER_CONFLICT') || attempt >= 5) throw error;
          creds = await credentials(purchase, true);
          credentialsReplaced = true;
        }
      }
    },

    /**
     * Enables the user (with `limit-uptime` when the plan has one) by the router's id reserve returned, found by name
     * when that is stale; with `activation`, then records the purchase `active` (see `activate`). Returns what the
     * workflow needs next. Without `activation` (a workflow of an earlier release) the id is the row's, and a new one
     * is stored on its own.
     */
    async enableHotspotUser(purchaseId: string, activation?: ActivationInput): Promise<EnabledUser> {
      // The reservation handed over what enabling needs: the row is read only for an earlier release's reservation,
      // or for the user's name when the router's id of it is stale.
      let loaded: Awaited<ReturnType<typeof load>> | undefined;
      const purchase = async () => (loaded ??= await load(purchaseId)).purchase;
      const terms = activation?.terms ?? termsOf(await purchase());
      const known = activation?.routerUserRef ?? (await purchase()).routerUserRef;
      const router = loaded ? connection(loaded) : await routerConnection(routers, secrets, terms.routerId);
      const { ref } = await hotspot.setUserEnabled(
        router,
        { ref: known, name: async () => (await purchase()).hotspotUsername! },
        true,
        terms.uptimeLimitSeconds ? { limitUptimeSeconds: terms.uptimeLimitSeconds } : {},
      );
      const enabled = { validitySeconds: terms.validitySeconds, autoConnect: terms.autoConnect };
      if (activation) return { ...enabled, activation: await activate(purchaseId, terms.validitySeconds, activation, ref) };
      if (ref !== known) await storeRouterUserRef(dataSource, purchaseId, ref);
      return enabled;
    },

    /** Removes the purchase's user (only one carrying our tag); a missing user is success. */
    async removeHotspotUser(purchaseId: string): Promise<void> {
      const loaded = await load(purchaseId);
      const name = loaded.purchase.hotspotUsername;
      if (!name) return;
      await persistently(async () => hotspot.removeUser(connection(loaded), { name, comment: purchaseTag(purchaseId) }));
    },

    /**
     * Ends access: removes the user first (so no cookie or MAC login can bring it back), then its sessions and its
     * cookies, then checks the router holds none of them; anything left makes the activity fail and retry.
     */
    async revokeHotspotAccess(purchaseId: string): Promise<{ sessionsEnded: number; cookiesRemoved: number }> {
      const loaded = await load(purchaseId);
      const name = loaded.purchase.hotspotUsername;
      if (!name) return { sessionsEnded: 0, cookiesRemoved: 0 };
      return persistently(async () => {
        const router = connection(loaded);
        const revoked = await hotspot.revokeUser(router, { name, comment: purchaseTag(purchaseId) });
        const traces = await hotspot.confirmUserGone(router, name);
        const foreignUser = traces.user && (await hotspot.findUser(router, name))?.comment !== purchaseTag(purchaseId);
        if (!traces.gone && !(foreignUser && traces.sessions === 0 && traces.cookies === 0)) {
          throw new Error(`access of ${name} still on the router (user ${traces.user}, sessions ${traces.sessions}, cookies ${traces.cookies})`);
        }
        return revoked;
      });
    },

    /**
     * Takes over the hotspot user of a customer imported from the original service: tags it with the purchase id, so
     * expiry, revocation and reconciliation treat it as ours. Not adopted when the router no longer has the user, or
     * has one of that name carrying someone else's comment (never touched). Idempotent: our tag is recognised.
     */
    async adoptHotspotUser(purchaseId: string): Promise<{ adopted: true } | { adopted: false; reason: 'ROUTER_USER_MISSING' | 'ROUTER_USER_FOREIGN' }> {
      const loaded = await load(purchaseId);
      const { purchase } = loaded;
      const tag = purchaseTag(purchaseId);
      return persistently(async () => {
        const router = connection(loaded);
        const user = purchase.hotspotUsername ? await hotspot.findUser(router, purchase.hotspotUsername) : null;
        if (!user) return { adopted: false, reason: 'ROUTER_USER_MISSING' };
        if (user.comment && user.comment !== tag) return { adopted: false, reason: 'ROUTER_USER_FOREIGN' };
        if (user.comment !== tag) await hotspot.setUserComment(router, user.ref, tag);
        if (user.ref !== purchase.routerUserRef) await storeRouterUserRef(dataSource, purchaseId, user.ref);
        return { adopted: true };
      });
    },
  };
}

/** Logging devices in, and probing a router for an admin. */
function deviceActivities({ secrets, hotspot, routers, logger, routerConnectTimeoutMs }: RouterActivityDeps, { load, login }: RouterTools) {
  return {
    /**
     * Logs the buyer's device in right after the purchase (best effort: a report, never an error), out of its session
     * as another user first: the new purchase replaces that access on this device (the other keeps its time).
     */
    async autoConnectDevice(purchaseId: string): Promise<AutoConnectReport> {
      const loaded = await load(purchaseId);
      return login(loaded, loaded.purchase.clientMac, loaded.purchase.clientIp, true);
    },

    /** Logs a returning device in as the user of an active purchase of this router. */
    async reconnectDevice(routerId: string, device: ReconnectDeviceInput): Promise<AutoConnectReport> {
      const loaded = await load(device.purchaseId);
      const { purchase } = loaded;
      if (purchase.routerId !== routerId || purchase.status !== 'active' || !purchase.hotspotUsername) {
        return { requested: true, connected: false, mac: device.mac, reason: 'login_failed' };
      }
      return login(loaded, device.mac, device.ip ?? null);
    },

    /**
     * Identity, version and hotspot profiles of a router, or one generic failure: same message, and never sooner than
     * the connect timeout, so neither the text nor the time tells a closed port from a silent one. The router's row is
     * read afresh: an admin tests what was just saved.
     */
    async probeRouter(routerId: string): Promise<RouterProbeResult> {
      const started = Date.now();
      try {
        const router = connectionOf(secrets, await routers.reload(routerId), routerId);
        const [identity, profiles] = await Promise.all([hotspot.identity(router), hotspot.listProfiles(router)]);
        return { ok: true, identity: identity.name, version: identity.version, majorVersion: identity.majorVersion, profiles, latencyMs: Date.now() - started };
      } catch (error) {
        const reason = isDomainError(error) ? { code: error.code, message: error.message, details: error.details } : { err: error };
        logger.warn({ routerId, ...reason }, 'router probe failed');
        await sleep(started + routerConnectTimeoutMs - Date.now());
        return { ok: false, code: 'ROUTER_UNREACHABLE', message: PROBE_FAILED };
      }
    },
  };
}

/** What enabling a purchase's user needs of its row. */
function termsOf(purchase: PurchaseEntity): AccessTerms {
  return {
    routerId: purchase.routerId!,
    validitySeconds: purchase.validitySeconds,
    uptimeLimitSeconds: purchase.uptimeLimitSeconds,
    autoConnect: purchase.autoConnect,
  };
}
