import type { z } from 'zod';
import { formatRouterDuration } from '../../domain/durations';
import { autoConnectMessage, MESSAGES } from '../../domain/messages';
import { isHotspotPassword, isHotspotUsername } from '../../domain/network';
import type { PurchaseEntity } from '../../db/entities';
import { findPurchaseByHotspotUser } from '../../db/repositories/purchases';
import { sameSecret } from '../../shared/secrets';
import { RateLimiter } from '../auth/rate-limiter';
import type { RouteContext } from '../context';
import { rateLimited } from '../errors';
import type { AutoReconnectResponse, ProfileInfoResponse, RouterCheckResponse } from '../schemas/portal/hotspot';

/**
 * Returning devices: credentials checked against the purchase that created the hotspot user (never against the router),
 * no password ever returned, and wrong tries throttled per username and per device, with a higher ceiling per client IP.
 */

type CredentialCheck =
  | { ok: true; purchase: PurchaseEntity; remainingSeconds: number }
  | { ok: false; reason: 'invalid' | 'expired' };

type HotspotDeps = Pick<RouteContext, 'dataSource' | 'secrets' | 'workflows'>;

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
  clientIp: string;
  mac?: string;
  username: string;
  password: string | undefined;
}

/** The captive portal's questions about an access already bought: is it valid, and log this device in again. */
export class HotspotAccess {
  private readonly perAccess = new RateLimiter(FAILURES_PER_ACCESS, FAILURE_WINDOW_MS);
  private readonly perIp = new RateLimiter(FAILURES_PER_IP, FAILURE_WINDOW_MS);

  constructor(private readonly deps: HotspotDeps) {}

  /** The access behind valid credentials: plan, profile and time left, never the password. */
  async profileInfo(login: HotspotLogin): Promise<z.output<typeof ProfileInfoResponse>> {
    const result = await this.check(login);
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

  /** Logs a returning device (its new MAC) in again with valid credentials of an active access, through the worker. */
  async reconnect(login: HotspotLogin & { mac: string; ip?: string }): Promise<z.output<typeof AutoReconnectResponse>> {
    const base = { nueva_mac: login.mac, tiempo_acumulado: null, primera_sesion: null, timestamp: new Date().toISOString() };
    const result = await this.check(login);
    if (!result.ok) {
      const expired = result.reason === 'expired';
      return {
        ...base,
        success: false,
        estado: expired ? 'expirado' : 'credenciales_invalidas',
        auto_conexion: 'no_conectado',
        datos_sesion: null,
        tiempo_restante: expired ? 0 : null,
        mensaje: expired ? MESSAGES.accessExpired : MESSAGES.invalidCredentials,
        error_detalle: null,
      };
    }
    const { purchase, remainingSeconds } = result;
    const report = await this.deps.workflows.reconnectDevice(login.routerId, { purchaseId: purchase.id, mac: login.mac, ip: login.ip });
    return {
      ...base,
      success: report.connected,
      estado: 'activo',
      auto_conexion: report.connected ? 'conectado' : 'no_conectado',
      datos_sesion: {
        usuario: login.username,
        perfil: purchase.profileName,
        ip: report.ip ?? login.ip ?? null,
        mac: login.mac,
        expira_en: purchase.expiresAt!.toISOString(),
      },
      tiempo_restante: remainingSeconds,
      mensaje: autoConnectMessage(report),
      error_detalle: report.connected ? null : (report.reason ?? null),
    };
  }

  /** Whether the service reaches the router now (through the worker). */
  async routerCheck(routerId: string): Promise<z.output<typeof RouterCheckResponse>> {
    const probe = await this.deps.workflows.probeRouter(routerId);
    return {
      success: probe.ok,
      estado: probe.ok ? 'activo' : 'sin_conexion',
      mensaje: probe.ok ? MESSAGES.routerReachable : MESSAGES.routerOffline,
      error_detalle: probe.ok ? null : probe.message,
      conexion_ok: probe.ok,
      timestamp: new Date().toISOString(),
    };
  }

  /** Checks the credentials unless the username, the device or the IP must wait; a wrong try counts against each. */
  private async check({ routerId, clientIp, mac, username, password }: HotspotLogin): Promise<CredentialCheck> {
    const accessKeys = [`${routerId}:user:${username}`, ...(mac ? [`${routerId}:mac:${mac}`] : [])];
    const ipKey = `${routerId}:ip:${clientIp}`;
    const wait = Math.max(this.perIp.retryAfter(ipKey), ...accessKeys.map((key) => this.perAccess.retryAfter(key)));
    if (wait > 0) throw rateLimited(`Demasiados intentos fallidos. Intente de nuevo en ${wait} segundos.`, wait);
    const result = await checkHotspotCredentials(this.deps, routerId, username, password || undefined);
    if (!result.ok && result.reason === 'invalid') {
      this.perIp.hit(ipKey);
      for (const key of accessKeys) this.perAccess.hit(key);
    }
    return result;
  }
}
