import type { RouteContext } from '../context';
import type { PreHandler } from '../plugins/auth';
import { rateLimit } from '../plugins/rate-limit';

/**
 * Guards of every captive-portal route: a valid router key, then rate limits per key and per client IP. The key is
 * public (it sits in the portal's HTML), so the limits are what stops a script from hammering a tenant.
 */
export function portalGuards(ctx: RouteContext, perIpLimit = ctx.config.RATE_LIMIT_PER_IP_PER_MINUTE): PreHandler[] {
  return [
    ctx.guards.routerKey,
    rateLimit(ctx.rateLimits, [
      { name: 'key', perMinute: ctx.config.RATE_LIMIT_PER_KEY_PER_MINUTE, key: (r) => r.routerPrincipal?.keyId },
      { name: 'ip', perMinute: perIpLimit, key: (r) => r.ip },
    ]),
  ];
}
