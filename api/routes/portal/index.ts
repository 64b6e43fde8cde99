import type { RouteContext, ZodApp } from '../../app';
import { registerCatalogRoutes } from './catalog';
import { registerHotspotRoutes } from './hotspot';
import { registerPurchaseRoutes } from './purchases';

/** Captive-portal API: every route authenticated by the router's API key. */
export function registerPortalRoutes(app: ZodApp, ctx: RouteContext): void {
  registerCatalogRoutes(app, ctx);
  registerHotspotRoutes(app, ctx);
  registerPurchaseRoutes(app, ctx);
}
