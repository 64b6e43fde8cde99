import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { GATEWAYS } from '../../../domain/purchase';
import type { RouterEntity } from '../../../db/entities';
import { portalPackage, setupScript } from '../../admin/router-onboarding';
import { findRouter, NOT_IN_COMPANY, NOT_OURS } from '../../admin/routers';
import type { RouteContext, ZodApp } from '../../context';
import { firstHeader } from '../../http';
import { ownCompanyId } from '../../plugins/auth';
import { adminSchema, NOT_FOUND } from '../../schemas/admin/common';
import { CompanyRouterParams, RouterParams } from '../../schemas/admin/routers';
import { ErrorResponse } from '../../schemas/common';

const KEY_HEADER = 'x-router-api-key';

const ScriptResponse = { description: 'RouterOS script (.rsc)', content: { 'text/plain': { schema: z.string() } } };
const ZipResponse = { description: 'The portal folder, zipped', content: { 'application/zip': { schema: z.string() } } };
const PortalQuery = z.object({
  pasarela: z.enum(GATEWAYS).optional().describe('The gateway the portal uses; by default the only one configured, Conekta when both are'),
});

/**
 * Router onboarding: the RouterOS setup script (company admin for its routers, super admin for any) and the captive
 * portal's files for one router (company admin).
 */
export function registerRouterOnboardingRoutes(app: ZodApp, ctx: RouteContext): void {
  const companyAdmin = ctx.guards.admin('cliente_admin');
  const superAdmin = ctx.guards.admin('super_admin');
  const sendScript = async (reply: FastifyReply, row: RouterEntity) =>
    reply
      .header('content-type', 'text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="pagos-hotspot-setup-${row.id}.rsc"`)
      .send(await setupScript(ctx, row));

  app.get(
    '/api/v1/admin/mi-empresa/routers/:router_id/setup.rsc',
    {
      onRequest: companyAdmin,
      schema: adminSchema(['Cliente Admin - MikroTik'], {
        summary: 'RouterOS script that prepares an own router for the service (API user, walled garden, hotspot profiles)',
        description: 'Run it on the router after setting `:global pagosHotspotPassword`; explained line by line in docs/router-setup.md.',
        params: RouterParams,
        response: { 200: ScriptResponse, ...NOT_FOUND, 409: ErrorResponse },
      }),
    },
    async (request, reply) => {
      return sendScript(reply, await findRouter(ctx, ownCompanyId(request), request.params.router_id, NOT_OURS));
    },
  );

  app.get(
    '/admin/empresas/:empresa_id/routers/:router_id/setup.rsc',
    {
      onRequest: superAdmin,
      schema: adminSchema(['Super Admin - Routers'], {
        summary: "RouterOS script that prepares a company's router for the service",
        params: CompanyRouterParams,
        response: { 200: ScriptResponse, ...NOT_FOUND, 409: ErrorResponse },
      }),
    },
    async (request, reply) => {
      return sendScript(reply, await findRouter(ctx, request.params.empresa_id, request.params.router_id, NOT_IN_COMPANY));
    },
  );

  app.get(
    '/api/v1/admin/mi-empresa/routers/:router_id/portal.zip',
    {
      onRequest: companyAdmin,
      schema: adminSchema(['Cliente Admin - MikroTik'], {
        summary: "The captive portal for an own router, ready to upload to its hotspot's html-directory",
        description:
          'The router’s current API key is written into the portal’s config.js. A key issued before keys were kept encrypted ' +
          'has only its hash stored: send it in `X-Router-Api-Key` (the one shown when the router was created or its key ' +
          'regenerated), or regenerate it. A key sent there must be a valid key of this router and is used instead.',
        params: RouterParams,
        querystring: PortalQuery,
        response: { 200: ZipResponse, 400: ErrorResponse, ...NOT_FOUND, 409: ErrorResponse },
      }),
    },
    async (request, reply) => {
      const row = await findRouter(ctx, ownCompanyId(request), request.params.router_id, NOT_OURS);
      const zip = await portalPackage(ctx, row, firstHeader(request.headers[KEY_HEADER])?.trim() || undefined, request.query.pasarela);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="portal-${row.id}.zip"`)
        .send(zip as never);
    },
  );
}
