import type { FastifyRequest } from 'fastify';
import type { RateLimiter } from '../auth/rate-limiter';
import { rateLimited } from '../errors';
import type { PreHandler } from './auth';

export interface RateLimitRule {
  name: string;
  perMinute: number;
  key: (request: FastifyRequest) => string | undefined;
}

/**
 * A preHandler enforcing every rule (for example per router key and per client IP) on the counters every API process
 * shares. A request over any limit gets 429 with Retry-After, and does not count against the others.
 */
export function rateLimit(limiter: RateLimiter, rules: RateLimitRule[]): PreHandler {
  return async (request) => {
    const buckets = [];
    for (const rule of rules) {
      const key = rule.key(request);
      if (key) buckets.push({ id: `${rule.name}:${key}`, limit: rule.perMinute, windowMs: 60_000 });
    }
    const wait = await limiter.take(buckets);
    if (wait > 0) throw rateLimited(`Demasiadas solicitudes. Intente de nuevo en ${wait} segundos.`, wait);
  };
}
