import type { RouteContext, ZodApp } from '../../app';

/** Admin API: super admin (`/admin/…`) and company admin (`/api/v1/admin/…`). */
export function registerAdminRoutes(_app: ZodApp, _ctx: RouteContext): void {}
