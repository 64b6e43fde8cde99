import type { RouteContext, ZodApp } from '../../context';
import { registerApiKeyRoutes } from './api-keys';
import { registerAuditRoutes } from './audit';
import { registerCompanyRoutes } from './companies';
import { registerDashboardRoutes } from './dashboard';
import { registerGatewayRoutes } from './gateways';
import { registerLogoRoutes } from './logo';
import { registerMyCompanyRoutes } from './my-company';
import { registerMyRouterRoutes } from './my-routers';
import { registerProductRoutes } from './products';
import { registerPurchaseActionRoutes } from './purchase-actions';
import { registerRouterOnboardingRoutes } from './router-onboarding';
import { registerRouterLifecycleRoutes, registerRouterRoutes } from './routers';
import { registerSalesRoutes } from './sales';
import { registerTelegramRoutes } from './telegram';
import { registerUserAccessRoutes, registerUserRoutes } from './users';
import { registerVoucherRoutes } from './vouchers';

/**
 * Admin API. Super admin (`/admin/…`): companies, their routers and router keys, admin users, dashboard, audit log.
 * Company admin (`/api/v1/admin/…`, always scoped to the admin's own company): company, logo, gateway credentials,
 * Telegram, routers, products, sales and purchase actions, vouchers.
 */
export function registerAdminRoutes(app: ZodApp, ctx: RouteContext): void {
  registerCompanyRoutes(app, ctx);
  registerRouterRoutes(app, ctx);
  registerRouterLifecycleRoutes(app, ctx);
  registerApiKeyRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerUserAccessRoutes(app, ctx);
  registerDashboardRoutes(app, ctx);
  registerAuditRoutes(app, ctx);

  registerMyCompanyRoutes(app, ctx);
  registerLogoRoutes(app, ctx);
  registerGatewayRoutes(app, ctx);
  registerTelegramRoutes(app, ctx);
  registerMyRouterRoutes(app, ctx);
  registerRouterOnboardingRoutes(app, ctx);
  registerProductRoutes(app, ctx);
  registerSalesRoutes(app, ctx);
  registerPurchaseActionRoutes(app, ctx);
  registerVoucherRoutes(app, ctx);
}
