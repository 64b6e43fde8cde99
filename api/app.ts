import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { RouterEndpointPolicy } from '../shared/router-endpoints';
import { MemoryWindowCounts, PostgresWindowCounts } from './auth/rate-limit-store';
import { RateLimiter } from './auth/rate-limiter';
import { RouterKeyAuthenticator } from './auth/router-keys';
import { SessionService } from './auth/sessions';
import type { App, AppDeps, RouteContext } from './context';
import { CatalogCache } from './portal/catalog-cache';
import { createGuards } from './plugins/auth';
import { frameworkErrors, registerErrorHandling } from './plugins/errors';
import { registerMetrics } from './plugins/metrics';
import { registerOpenApi } from './plugins/openapi';
import { validatorCompiler } from './plugins/validation';
import { registerAdminRoutes } from './routes/admin';
import { registerAuthRoutes } from './routes/auth';
import { registerHealthRoutes } from './routes/health';
import { isPortalPath, registerPortalRoutes } from './routes/portal';
import { registerWebhookRoutes } from './routes/webhooks';
import { SharedCaches } from './shared-caches';

export interface BuildOptions {
  /** Cache lifetime of router key lookups (ms); tests shorten it. */
  routerKeyCacheMs?: number;
  /** Cache lifetime of each router's catalog (ms), default 1 s. */
  catalogCacheMs?: number;
}

/**
 * Builds the HTTP application without listening (tests use `app.inject`). The route table is the explicit list below.
 */
export async function buildApp(deps: AppDeps, options: BuildOptions = {}): Promise<App> {
  const { config } = deps;
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // One line per request would dominate the logs and the catalog's cost; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // Client IPs (rate limits) come from X-Forwarded-For only behind a proxy we were told to trust.
    trustProxy: config.TRUST_PROXY as FastifyServerOptions['trustProxy'],
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { coerceTypes: false } },
    frameworkErrors,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  registerMetrics(app);

  // No list of allowed headers: a preflight gets back the headers it asks for (X-Requested-With and the like), as the
  // previous service allowed them all. Origins are what is checked.
  const corsBase = { methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] };
  const configuredCors = {
    ...corsBase,
    origin: config.BACKEND_CORS_ORIGINS.includes('*') ? true : config.BACKEND_CORS_ORIGINS,
    credentials: !config.BACKEND_CORS_ORIGINS.includes('*'),
  };
  // Captive portals are served by each router from its own address: the portal routes (router key in a header, no
  // cookies) answer any origin; everything else only the configured ones.
  const portalCors = { ...corsBase, origin: '*', credentials: false };
  await app.register(cors, {
    delegator: (request, callback) => callback(null, isPortalPath(request.url ?? '') ? portalCors : configuredCors),
  });
  await registerOpenApi(app, config.APP_NAME);

  const routerKeys = new RouterKeyAuthenticator({
    dataSource: deps.dataSource,
    secret: config.JWT_APIKEY_SECRET,
    algorithm: config.JWT_ALGORITHM,
    cacheTtlMs: options.routerKeyCacheMs,
  });
  const rateLimits = new RateLimiter(config.RATE_LIMIT_STORE === 'memory' ? new MemoryWindowCounts() : new PostgresWindowCounts(deps.dataSource));
  const sessions = new SessionService(
    deps.dataSource,
    { secret: config.JWT_SESSION_SECRET, algorithm: config.JWT_ALGORITHM, expireHours: config.JWT_SESSION_EXPIRE_HOURS, bcryptRounds: config.BCRYPT_ROUNDS },
    rateLimits,
  );
  const catalog: RouteContext['catalog'] = new CatalogCache(options.catalogCacheMs ?? 1_000);
  const caches = new SharedCaches(deps, { 'router-keys': routerKeys, catalog });
  const routerEndpoints = new RouterEndpointPolicy(config.ROUTER_ALLOWED_NETWORKS);
  const ctx: RouteContext = { ...deps, guards: createGuards(routerKeys, sessions), routerKeys, sessions, catalog, caches, rateLimits, routerEndpoints };
  app.addHook('onClose', async () => {
    rateLimits.close();
    await caches.close();
    await routerKeys.close();
  });

  const zod = app.withTypeProvider<ZodTypeProvider>();
  registerHealthRoutes(zod, ctx);
  registerAuthRoutes(zod, ctx);
  registerPortalRoutes(zod, ctx);
  registerAdminRoutes(zod, ctx);
  await registerWebhookRoutes(app, ctx);

  await app.ready();
  await caches.start();
  return app;
}
