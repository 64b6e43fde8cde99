import type { RouteContext, ZodApp } from '../../context';
import { registerCatalogRoutes } from './catalog';
import { registerHotspotRoutes } from './hotspot';
import { registerPurchaseRoutes, registerPurchaseStatusRoutes } from './purchases';
import { registerVoucherRoutes } from './vouchers';

const PORTAL_PATHS = /^\/api\/v1\/(config\/public|catalogo_perfiles_venta|payments\/|purchases\/|hotspot\/|routers\/validar-empresa-router|vouchers\/canjear)/;

/** Whether a request URL is one of the captive-portal routes below (the ones a portal page calls). */
export function isPortalPath(url: string): boolean {
  return PORTAL_PATHS.test(url);
}

/** Captive-portal API: every route authenticated by the router's API key. */
export function registerPortalRoutes(app: ZodApp, ctx: RouteContext): void {
  registerCatalogRoutes(app, ctx);
  registerHotspotRoutes(app, ctx);
  registerPurchaseRoutes(app, ctx);
  registerPurchaseStatusRoutes(app, ctx);
  registerVoucherRoutes(app, ctx);
}
