import type { z } from 'zod';
import { formatRouterDuration } from '../../domain/durations';
import { autoConnectMessage, MESSAGES } from '../../domain/messages';
import { isHotspotPassword, isHotspotUsername } from '../../domain/network';
import type { PurchaseEntity } from '../../db/entities';
import { findPurchaseByHotspotUser } from '../../db/repositories/purchases';
import { sameSecret } from '../../shared/secrets';
import type { Bucket } from '../auth/rate-limiter';
import type { RouteContext } from '../context';
import { rateLimited } from '../errors';
import { deviceProblem, type DeviceAddress } from '../schemas/portal/device';
import type { AutoReconnectResponse, ProfileInfoResponse, RouterCheckResponse } from '../schemas/portal/hotspot';
import { autoConnectReason } from './auto-connect';

/**
 * Returning devices: credentials checked against the purchase that created the hotspot user (never against the router),
 * no password ever returned, and wrong tries throttled per username and per device, with a higher ceiling per client IP.
 */

type CredentialCheck =
  | { ok: true; purchase: PurchaseEntity; remainingSeconds: number }
  | { ok: false; reason: 'invalid' | 'expired' };

type HotspotDeps = Pick<RouteContext, 'dataSource' | 'secrets' | 'workflows' | 'rateLimits'>;

/** Failed credential checks counted per router over this window. */
const FAILURE_WINDOW_MS = 15 * 60_000;
/** Wrong tries at one access (a username) or from one device (a MAC) before they wait. */
const FAILURES_PER_ACCESS = 10;
/**
 * Wrong tries from one client IP. Every customer of a hotspot reaches us from its public IP, so this is a ceiling for
 * a whole hotspot, far above one customer's typos; it still bounds a sweep of the PIN space from one place.
 */
const FAILURES_PER_IP = 100;

/**
 * Checks hotspot credentials against the purchase that created the user on this router: a PIN user has no password,
 * any other user must give its password. Whether the access has ended is said only after the credentials match, so a
 * stranger learns nothing about a username.
 */
async function checkHotspotCredentials(
  deps: Pick<HotspotDeps, 'dataSource' | 'secrets'>,
  routerId: string,
  username: string,
  password: string | undefined,
  now = new Date(),
): Promise<CredentialCheck> {
  if (!isHotspotUsername(username) || (password !== undefined && !isHotspotPassword(password))) {
    return { ok: false, reason: 'invalid' };
  }
  const purchase = await findPurchaseByHotspotUser(deps.dataSource, routerId, username);
  if (!purchase) return { ok: false, reason: 'invalid' };
  if (purchase.userType === 'pin') {
    if (password) return { ok: false, reason: 'invalid' };
  } else {
    const stored = deps.secrets.decryptOptional(purchase.hotspotPasswordEncrypted);
    if (!password || stored === undefined || !sameSecret(password, stored)) return { ok: false, reason: 'invalid' };
  }
  const remainingMs = purchase.expiresAt ? purchase.expiresAt.getTime() - now.getTime() : 0;
  if (purchase.status !== 'active' || remainingMs <= 0) return { ok: false, reason: 'expired' };
  return { ok: true, purchase, remainingSeconds: Math.floor(remainingMs / 1000) };
}

/** A device asking about its access: the router it is behind, where it connects from, and what it typed. */
export interface HotspotLogin {
  routerId: string;
  /** An inactive router is answered `router_inactivo` (with 200, as the previous service did), before anything else. */
  routerActive: boolean;
  clientIp: string;
  mac?: string;
  username: string;
  password: string | undefined;
}

/** The captive portal's questions about an access already bought: is it valid, and log this device in again. */
export class HotspotAccess {
  constructor(private readonly deps: HotspotDeps) {}

  /** The access behind valid credentials: plan, profile and time left, never the password. */
  async profileInfo(login: HotspotLogin): Promise<z.output<typeof ProfileInfoResponse>> {
    const empty = {
      username: login.username,
      tipo_usuario: null,
      profile: null,
      mac_cookie_timeout: null,
      mac_authentication: false,
      disabled: true,
      comment: null,
      limit_uptime: null,
      expira_en: null,
      tiempo_restante: null,
      datos_completos: null,
      error_detalle: null,
      timestamp: new Date().toISOString(),
    };
    if (!login.routerActive) return { ...empty, success: false, estado: 'router_inactivo', mensaje: MESSAGES.routerInactive };
    const result = await this.check(login);
    if (!result.ok) {
      return result.reason === 'expired'
        ? { ...empty, success: false, estado: 'expirado', tiempo_restante: 0, mensaje: MESSAGES.accessExpired }
        : { ...empty, success: false, estado: 'credenciales_invalidas', mensaje: MESSAGES.invalidCredentials };
    }
    const { purchase, remainingSeconds } = result;
    return {
      ...empty,
      success: true,
      estado: 'ok',
      tipo_usuario: purchase.userType,
      profile: purchase.profileName,
      disabled: false,
      // RouterOS' notation, as the router itself holds the limit.
      limit_uptime: purchase.uptimeLimitSeconds ? formatRouterDuration(purchase.uptimeLimitSeconds) : null,
      expira_en: purchase.expiresAt!.toISOString(),
      tiempo_restante: remainingSeconds,
      datos_completos: {
        usuario: login.username,
        plan: purchase.productName,
        perfil: purchase.profileName,
        activado_en: purchase.activatedAt?.toISOString() ?? null,
        expira_en: purchase.expiresAt!.toISOString(),
      },
      mensaje: MESSAGES.accessActive,
    };
  }

  /**
   * Logs a returning device (its new MAC) in again with valid credentials of an active access, through the worker. A
   * device without a usable MAC is not logged in: the credentials are still checked, and `error_detalle` says why.
   */
  async reconnect(
    login: Omit<HotspotLogin, 'mac'> & { device: { mac: DeviceAddress; ip: DeviceAddress } },
  ): Promise<z.output<typeof AutoReconnectResponse>> {
    const mac = login.device.mac.address;
    const ip = login.device.ip.address;
    const base = { nueva_mac: mac ?? '', tiempo_acumulado: null, primera_sesion: null, timestamp: new Date().toISOString() };
    const notConnected = { success: false, auto_conexion: 'no_conectado', datos_sesion: null, tiempo_restante: null, error_detalle: null } as const;
    if (!login.routerActive) return { ...base, ...notConnected, estado: 'router_inactivo', mensaje: MESSAGES.routerInactive };
    const result = await this.check({ ...login, mac });
    if (!result.ok) {
      const expired = result.reason === 'expired';
      return {
        ...base,
        ...notConnected,
        estado: expired ? 'expirado' : 'credenciales_invalidas',
        tiempo_restante: expired ? 0 : null,
        mensaje: expired ? MESSAGES.accessExpired : MESSAGES.invalidCredentials,
      };
    }
    const { purchase, remainingSeconds } = result;
    const report = mac
      ? await this.deps.workflows.reconnectDevice(login.routerId, { purchaseId: purchase.id, mac, ip })
      : { requested: true, connected: false, reason: 'no_mac' };
    return {
      ...base,
      success: report.connected,
      estado: 'activo',
      auto_conexion: report.connected ? 'conectado' : 'no_conectado',
      datos_sesion: {
        usuario: login.username,
        perfil: purchase.profileName,
        ip: report.ip ?? ip ?? null,
        mac: mac ?? '',
        expira_en: purchase.expiresAt!.toISOString(),
      },
      tiempo_restante: remainingSeconds,
      mensaje: autoConnectMessage(report),
      error_detalle: autoConnectReason(report, deviceProblem(login.device.mac)),
    };
  }

  /**
   * Whether the service reaches the router now (through the worker). A router its admins deactivated is not tried:
   * `router_inactivo`, as the previous service answered; one that does not answer is `sin_conexion`.
   */
  async routerCheck(router: { id: string; active: boolean }): Promise<z.output<typeof RouterCheckResponse>> {
    const timestamp = new Date().toISOString();
    if (!router.active) {
      return { success: false, estado: 'router_inactivo', mensaje: MESSAGES.routerInactive, error_detalle: 'router_inactivo', conexion_ok: false, timestamp };
    }
    const probe = await this.deps.workflows.probeRouter(router.id);
    return {
      success: probe.ok,
      estado: probe.ok ? 'activo' : 'sin_conexion',
      mensaje: probe.ok ? MESSAGES.routerReachable : MESSAGES.routerOffline,
      error_detalle: probe.ok ? null : probe.message,
      conexion_ok: probe.ok,
      timestamp,
    };
  }

  /** Checks the credentials unless the username, the device or the IP must wait; a wrong try counts against each. */
  private async check({ routerId, clientIp, mac, username, password }: HotspotLogin): Promise<CredentialCheck> {
    const access = (key: string): Bucket => ({ id: `hotspot:${routerId}:${key}`, limit: FAILURES_PER_ACCESS, windowMs: FAILURE_WINDOW_MS });
    const buckets = [
      access(`user:${username}`),
      ...(mac ? [access(`mac:${mac}`)] : []),
      { id: `hotspot:${routerId}:ip:${clientIp}`, limit: FAILURES_PER_IP, windowMs: FAILURE_WINDOW_MS },
    ];
    const wait = await this.deps.rateLimits.retryAfter(buckets);
    if (wait > 0) throw rateLimited(`Demasiados intentos fallidos. Intente de nuevo en ${wait} segundos.`, wait);
    const result = await checkHotspotCredentials(this.deps, routerId, username, password || undefined);
    if (!result.ok && result.reason === 'invalid') await this.deps.rateLimits.hit(buckets);
    return result;
  }
}
