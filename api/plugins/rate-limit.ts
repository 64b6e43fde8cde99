import type { FastifyRequest } from 'fastify';
import { RateLimiter } from '../auth/rate-limiter';
import { rateLimited } from '../errors';
import type { PreHandler } from './auth';

export interface RateLimitRule {
  name: string;
  perMinute: number;
  key: (request: FastifyRequest) => string | undefined;
}

/**
 * A preHandler enforcing every rule (for example per router key and per client IP). A request over any limit gets
 * 429 with Retry-After, and does not count against the others.
 */
export function rateLimit(rules: RateLimitRule[]): PreHandler {
  const limiters = rules.map((rule) => ({ rule, limiter: new RateLimiter(rule.perMinute, 60_000) }));
  return async (request) => {
    const keys = limiters.map(({ rule, limiter }) => ({ limiter, key: rule.key(request) && `${rule.name}:${rule.key(request)}` }));
    const wait = Math.max(0, ...keys.map(({ limiter, key }) => (key ? limiter.retryAfter(key) : 0)));
    if (wait > 0) {
      throw rateLimited(`Demasiadas solicitudes. Intente de nuevo en ${wait} segundos.`, wait);
    }
    for (const { limiter, key } of keys) if (key) limiter.hit(key);
  };
}
