import type { RouteContext } from '../context';
import type { PreHandler } from '../plugins/auth';
import { rateLimit } from '../plugins/rate-limit';

/** Which routers a portal route serves: active ones only, or also inactive ones (the route then answers that itself). */
export type RouterScope = 'active' | 'any';

/**
 * Guards of every captive-portal route: a valid router key, then rate limits per key and per client IP. The key is
 * public (it sits in the portal's HTML), so the limits are what stops a script from hammering a tenant.
 */
export function portalGuards(ctx: RouteContext, perIpLimit = ctx.config.RATE_LIMIT_PER_IP_PER_MINUTE, routers: RouterScope = 'active'): PreHandler[] {
  const anyRouter: PreHandler = async (request) => {
    request.routerPrincipal = await ctx.routerKeys.identify(request.headers);
  };
  return [
    routers === 'active' ? ctx.guards.routerKey : anyRouter,
    rateLimit(ctx.rateLimits, [
      { name: 'key', perMinute: ctx.config.RATE_LIMIT_PER_KEY_PER_MINUTE, key: (r) => r.routerPrincipal?.keyId },
      { name: 'ip', perMinute: perIpLimit, key: (r) => r.ip },
    ]),
  ];
}
