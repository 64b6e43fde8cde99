import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { DataSource } from 'typeorm';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { RouterEndpointPolicy } from '../shared/router-endpoints';
import type { SecretBox } from '../shared/secrets';
import type { RateLimiter } from './auth/rate-limiter';
import type { RouterKeyAuthenticator } from './auth/router-keys';
import type { SessionService } from './auth/sessions';
import type { Guards } from './plugins/auth';
import type { CatalogCache } from './portal/catalog-cache';
import type { CatalogProduct } from './schemas/portal/catalog';
import type { SharedCaches } from './shared-caches';
import type { Workflows } from './temporal/workflows';

/**
 * What every route and the modules behind them are given. A leaf of the API: it imports no route, so routes and
 * modules can all depend on it.
 */

export type App = FastifyInstance;

/** The app with zod schemas as its type provider: what route files register on. */
export type ZodApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** Everything the HTTP app needs, built by api/server.ts (or by a test). */
export interface AppDeps {
  config: Config;
  dataSource: DataSource;
  secrets: SecretBox;
  logger: Logger;
  /** The API's only door to Temporal: start, signal and ask workflows. */
  workflows: Workflows;
}

/** What route modules receive: the dependencies plus the shared services and guards. */
export interface RouteContext extends AppDeps {
  guards: Guards;
  routerKeys: RouterKeyAuthenticator;
  sessions: SessionService;
  /** Rendered catalogs by router; product writes invalidate it (through `caches`). */
  catalog: CatalogCache<z.output<typeof CatalogProduct>[]>;
  /** Tells every API process that an admin changed what a cache holds. */
  caches: SharedCaches;
  /** Rate limits and throttles, counted where every API process sees them (RATE_LIMIT_STORE). */
  rateLimits: RateLimiter;
  /** Where routers may be (ROUTER_ALLOWED_NETWORKS), checked when an admin saves one. */
  routerEndpoints: RouterEndpointPolicy;
}
