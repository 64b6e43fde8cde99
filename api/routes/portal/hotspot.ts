import { MESSAGES, autoConnectMessage } from '../../../domain/messages';
import type { RouteContext, ZodApp } from '../../app';
import { RateLimiter } from '../../auth/rate-limiter';
import { HttpError } from '../../errors';
import { checkHotspotCredentials } from '../../portal/hotspot-credentials';
import { routerOf, SECURITY } from '../../plugins/auth';
import { ErrorResponse, IPv4Address, MacAddress, ValidationErrorResponse } from '../../schemas/common';
import {
  AutoReconnectRequest,
  AutoReconnectResponse,
  ProfileInfoRequest,
  ProfileInfoResponse,
  RouterCheckResponse,
} from '../../schemas/portal/hotspot';
import { portalGuards } from './guards';

const ReconnectBody = AutoReconnectRequest.extend({ current_mac: MacAddress, current_ip: IPv4Address.nullish() });

/** Seconds as RouterOS prints durations (`1d2h3m4s`), for the original's `limit_uptime` field. */
function routerOsDuration(seconds: number | null): string | null {
  if (!seconds) return null;
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3_600), 'h'],
    [Math.floor((seconds % 3_600) / 60), 'm'],
    [seconds % 60, 's'],
  ];
  return parts.filter(([n]) => n > 0).map(([n, unit]) => `${n}${unit}`).join('');
}

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
 * Returning devices and credential checks (spec §3.3, §5.5), with the original's faults fixed: credentials are
 * verified (against the purchase, not the router), no password is ever returned, MAC and IP are validated, and
 * repeated failures are throttled per username and per device, with a higher ceiling per client IP.
 */
export function registerHotspotRoutes(app: ZodApp, ctx: RouteContext): void {
  const guards = portalGuards(ctx);
  const perAccess = new RateLimiter(FAILURES_PER_ACCESS, FAILURE_WINDOW_MS);
  const perIp = new RateLimiter(FAILURES_PER_IP, FAILURE_WINDOW_MS);
  const check = async (routerId: string, client: { ip: string; mac?: string }, username: string, password: string | undefined) => {
    const accessKeys = [`${routerId}:user:${username}`, ...(client.mac ? [`${routerId}:mac:${client.mac}`] : [])];
    const ipKey = `${routerId}:ip:${client.ip}`;
    const wait = Math.max(perIp.retryAfter(ipKey), ...accessKeys.map((key) => perAccess.retryAfter(key)));
    if (wait > 0) {
      throw new HttpError(429, `Demasiados intentos fallidos. Intente de nuevo en ${wait} segundos.`, { 'retry-after': String(wait) });
    }
    const result = await checkHotspotCredentials(ctx.dataSource, ctx.secrets, routerId, username, password || undefined);
    if (!result.ok && result.reason === 'invalid') {
      perIp.hit(ipKey);
      for (const key of accessKeys) perAccess.hit(key);
    }
    return result;
  };

  app.post(
    '/api/v1/hotspot/auto-reconnect',
    {
      preHandler: guards,
      schema: {
        tags: ['Captive portal'],
        summary: 'Log a returning device in again, with valid credentials of an active access of this router',
        security: SECURITY.routerKey,
        body: ReconnectBody,
        response: { 200: AutoReconnectResponse, 401: ErrorResponse, 422: ValidationErrorResponse, 429: ErrorResponse },
      },
    },
    async (request) => {
      const { router } = routerOf(request);
      const { username, password, current_mac: mac, current_ip: ip } = request.body;
      const base = {
        nueva_mac: mac,
        tiempo_acumulado: null,
        primera_sesion: null,
        timestamp: new Date().toISOString(),
      };
      const result = await check(router.id, { ip: request.ip, mac }, username, password);
      if (!result.ok) {
        const expired = result.reason === 'expired';
        return {
          ...base,
          success: false,
          estado: expired ? ('expirado' as const) : ('credenciales_invalidas' as const),
          auto_conexion: 'no_conectado' as const,
          datos_sesion: null,
          tiempo_restante: expired ? 0 : null,
          mensaje: expired ? MESSAGES.accessExpired : MESSAGES.invalidCredentials,
          error_detalle: null,
        };
      }
      const { purchase, remainingSeconds } = result;
      const report = await ctx.workflows.reconnectDevice(router.id, { purchaseId: purchase.id, mac, ip: ip ?? undefined });
      return {
        ...base,
        success: report.connected,
        estado: 'activo' as const,
        auto_conexion: report.connected ? ('conectado' as const) : ('no_conectado' as const),
        datos_sesion: {
          usuario: username,
          perfil: purchase.profileName,
          ip: report.ip ?? ip ?? null,
          mac,
          expira_en: purchase.expiresAt!.toISOString(),
        },
        tiempo_restante: remainingSeconds,
        mensaje: autoConnectMessage(report),
        error_detalle: report.connected ? null : (report.reason ?? null),
      };
    },
  );

  app.post(
    '/api/v1/hotspot/user/profile-info',
    {
      preHandler: guards,
      schema: {
        tags: ['Captive portal'],
        summary: "Check hotspot credentials; returns the user's plan and remaining time, never a password",
        security: SECURITY.routerKey,
        body: ProfileInfoRequest,
        response: { 200: ProfileInfoResponse, 401: ErrorResponse, 422: ValidationErrorResponse, 429: ErrorResponse },
      },
    },
    async (request) => {
      const { router } = routerOf(request);
      const { username, password } = request.body;
      const result = await check(router.id, { ip: request.ip }, username, password ?? undefined);
      const empty = {
        username,
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
          ? { ...empty, success: false, estado: 'expirado' as const, tiempo_restante: 0, mensaje: MESSAGES.accessExpired }
          : { ...empty, success: false, estado: 'credenciales_invalidas' as const, mensaje: MESSAGES.invalidCredentials };
      }
      const { purchase, remainingSeconds } = result;
      return {
        ...empty,
        success: true,
        estado: 'ok' as const,
        tipo_usuario: purchase.userType,
        profile: purchase.profileName,
        disabled: false,
        limit_uptime: routerOsDuration(purchase.uptimeLimitSeconds),
        expira_en: purchase.expiresAt!.toISOString(),
        tiempo_restante: remainingSeconds,
        datos_completos: {
          usuario: username,
          plan: purchase.productName,
          perfil: purchase.profileName,
          activado_en: purchase.activatedAt?.toISOString() ?? null,
          expira_en: purchase.expiresAt!.toISOString(),
        },
        mensaje: MESSAGES.accessActive,
      };
    },
  );

  app.post(
    '/api/v1/routers/validar-empresa-router',
    {
      preHandler: guards,
      schema: {
        tags: ['Captive portal'],
        summary: 'Can the service reach this router right now',
        security: SECURITY.routerKey,
        response: { 200: RouterCheckResponse, 401: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request) => {
      const { router } = routerOf(request);
      const probe = await ctx.workflows.probeRouter(router.id);
      return {
        success: probe.ok,
        estado: probe.ok ? ('activo' as const) : ('sin_conexion' as const),
        mensaje: probe.ok ? MESSAGES.routerReachable : MESSAGES.routerOffline,
        error_detalle: probe.ok ? null : probe.message,
        conexion_ok: probe.ok,
        timestamp: new Date().toISOString(),
      };
    },
  );
}
