import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { GATEWAYS } from '../../../domain/purchase';
import { CompanyEntity, RouterEntity } from '../../../db/entities';
import { chooseGateway, portalConfig, portalFiles, portalZip, usableGateways } from '../../admin/portal-package';
import { loadRouterSetup, routerSetupScript } from '../../admin/router-setup';
import type { RouteContext, ZodApp } from '../../app';
import { HttpError } from '../../errors';
import { SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, NOT_FOUND } from '../../schemas/admin/common';
import { CompanyRouterParams, RouterParams } from '../../schemas/admin/routers';
import { ErrorResponse } from '../../schemas/common';
import { findOwned, ownCompanyId } from './scope';

const NOT_OURS = 'Router no encontrado o no pertenece a tu empresa';
const NOT_IN_COMPANY = 'Router no encontrado o no pertenece a la empresa';
const KEY_HEADER = 'x-router-api-key';

const ScriptResponse = { description: 'RouterOS script (.rsc)', content: { 'text/plain': { schema: z.string() } } };
const ZipResponse = { description: 'The portal folder, zipped', content: { 'application/zip': { schema: z.string() } } };
const PortalQuery = z.object({
  pasarela: z.enum(GATEWAYS).optional().describe('The gateway the portal uses; by default the only one configured, Conekta when both are'),
});

/**
 * Router onboarding: the RouterOS setup script (company admin for its routers, super admin for any) and the captive
 * portal's files for one router (company admin). The work is in api/admin/router-setup.ts and portal-package.ts.
 */
export function registerRouterOnboardingRoutes(app: ZodApp, ctx: RouteContext): void {
  const companyAdmin = ctx.guards.admin('cliente_admin');
  const superAdmin = ctx.guards.admin('super_admin');
  const router = (companyId: string, routerId: string, notFound: string) =>
    findOwned(ctx.dataSource.manager, RouterEntity, companyId, { id: routerId }, notFound);
  const sendScript = async (reply: FastifyReply, row: RouterEntity) =>
    reply
      .header('content-type', 'text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="pagos-hotspot-setup-${row.id}.rsc"`)
      .send(routerSetupScript(await loadRouterSetup(ctx.dataSource, ctx.config, row)));

  app.get(
    '/api/v1/admin/mi-empresa/routers/:router_id/setup.rsc',
    {
      onRequest: companyAdmin,
      schema: {
        tags: ['Cliente Admin - MikroTik'],
        summary: 'RouterOS script that prepares an own router for the service (API user, walled garden, hotspot profiles)',
        description: 'Run it on the router after setting `:global pagosHotspotPassword`; explained line by line in docs/router-setup.md.',
        security: SECURITY.admin,
        params: RouterParams,
        response: { 200: ScriptResponse, ...ADMIN_ERRORS, ...NOT_FOUND, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const row = await router(ownCompanyId(request), request.params.router_id, NOT_OURS);
      return sendScript(reply, row);
    },
  );

  app.get(
    '/admin/empresas/:empresa_id/routers/:router_id/setup.rsc',
    {
      onRequest: superAdmin,
      schema: {
        tags: ['Super Admin - Routers'],
        summary: "RouterOS script that prepares a company's router for the service",
        security: SECURITY.admin,
        params: CompanyRouterParams,
        response: { 200: ScriptResponse, ...ADMIN_ERRORS, ...NOT_FOUND, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const row = await router(request.params.empresa_id, request.params.router_id, NOT_IN_COMPANY);
      return sendScript(reply, row);
    },
  );

  app.get(
    '/api/v1/admin/mi-empresa/routers/:router_id/portal.zip',
    {
      onRequest: companyAdmin,
      schema: {
        tags: ['Cliente Admin - MikroTik'],
        summary: "The captive portal for an own router, ready to upload to its hotspot's html-directory",
        description:
          'Send the router’s API key in `X-Router-Api-Key` (the one shown when the router was created or its key regenerated: ' +
          'only its hash is stored). It is written into the portal’s config.js.',
        security: SECURITY.admin,
        params: RouterParams,
        querystring: PortalQuery,
        response: { 200: ZipResponse, 400: ErrorResponse, ...ADMIN_ERRORS, ...NOT_FOUND, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const row = await router(ownCompanyId(request), request.params.router_id, NOT_OURS);
      const header = request.headers[KEY_HEADER];
      const apiKey = (Array.isArray(header) ? header[0] : header)?.trim();
      if (!apiKey) {
        throw new HttpError(400, 'Envíe la API Key del router en la cabecera X-Router-Api-Key (la que recibió al crear el router o al regenerarla)');
      }
      const principal = await ctx.routerKeys.authenticate({ 'x-api-key': apiKey }).catch(() => undefined);
      if (principal?.router.id !== row.id) throw new HttpError(400, 'X-Router-Api-Key no es una API Key vigente de este router');
      const company = await ctx.dataSource.getRepository(CompanyEntity).findOneByOrFail({ id: row.companyId });
      const gateway = chooseGateway(usableGateways(company, ctx.config), request.query.pasarela);
      const zip = portalZip(portalFiles(portalConfig(ctx.config, row, apiKey, gateway)));
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="portal-${row.id}.zip"`)
        .send(zip as never);
    },
  );
}
