import type { RouteContext, ZodApp } from '../../context';
import { ignoreEmptyBody } from '../../http';
import { portalGuards } from '../../portal/guards';
import { HotspotAccess } from '../../portal/hotspot';
import { routerOf, SECURITY } from '../../plugins/auth';
import { ErrorResponse, ValidationErrorResponse } from '../../schemas/common';
import {
  AutoReconnectRequest,
  AutoReconnectResponse,
  ProfileInfoRequest,
  ProfileInfoResponse,
  RouterCheckResponse,
} from '../../schemas/portal/hotspot';

/**
 * Returning devices and the router check: credentials verified against the purchase, wrong tries throttled. These
 * routes also serve an inactive router's key, to answer `router_inactivo` in their body as the previous service did.
 */
export function registerHotspotRoutes(app: ZodApp, ctx: RouteContext): void {
  const guards = portalGuards(ctx, undefined, 'any');
  const access = new HotspotAccess(ctx);

  app.post(
    '/api/v1/hotspot/auto-reconnect',
    {
      preHandler: guards,
      schema: {
        tags: ['Captive portal'],
        summary: 'Log a returning device in again, with valid credentials of an active access of this router',
        security: SECURITY.routerKey,
        body: AutoReconnectRequest,
        response: { 200: AutoReconnectResponse, 401: ErrorResponse, 422: ValidationErrorResponse, 429: ErrorResponse },
      },
    },
    async (request) => {
      const { username, password, current_mac: mac, current_ip: ip } = request.body;
      const { router } = routerOf(request);
      return access.reconnect({ routerId: router.id, routerActive: router.active, clientIp: request.ip, device: { mac, ip }, username, password });
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
      const { username, password } = request.body;
      const { router } = routerOf(request);
      return access.profileInfo({ routerId: router.id, routerActive: router.active, clientIp: request.ip, username, password: password ?? undefined });
    },
  );

  app.post(
    '/api/v1/routers/validar-empresa-router',
    {
      onRequest: ignoreEmptyBody,
      preHandler: guards,
      schema: {
        tags: ['Captive portal'],
        summary: 'Can the service reach this router right now',
        security: SECURITY.routerKey,
        response: { 200: RouterCheckResponse, 401: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request) => access.routerCheck(routerOf(request).router),
  );
}
