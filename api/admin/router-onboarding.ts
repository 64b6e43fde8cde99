import type { RouterEntity } from '../../db/entities';
import { findCompany } from '../../db/repositories/companies';
import { DomainError } from '../../domain/errors';
import type { Gateway } from '../../domain/purchase';
import type { RouteContext } from '../context';
import { chooseGateway, portalConfig, portalFiles, portalZip, usableGateways } from './portal-package';
import { loadRouterSetup, routerSetupScript } from './router-setup';

/** Onboarding a router: its RouterOS setup script and its captive portal (the work is in router-setup.ts and portal-package.ts). */

type OnboardingDeps = Pick<RouteContext, 'dataSource' | 'config' | 'routerKeys'>;

/** The RouterOS script that prepares the router for the service. */
export async function setupScript(deps: OnboardingDeps, router: RouterEntity): Promise<string> {
  return routerSetupScript(await loadRouterSetup(deps.dataSource, deps.config, router));
}

/**
 * The zipped portal for one router, carrying the router's API key in its config.js. Only the key's hash is stored, so
 * the admin sends it; it must be a valid key of this very router.
 */
export async function portalPackage(deps: OnboardingDeps, router: RouterEntity, apiKey: string | undefined, gateway: Gateway | undefined): Promise<Buffer> {
  if (!apiKey) {
    throw new DomainError('BAD_REQUEST', 'Envíe la API Key del router en la cabecera X-Router-Api-Key (la que recibió al crear el router o al regenerarla)');
  }
  const principal = await deps.routerKeys.authenticate({ 'x-api-key': apiKey }).catch(() => undefined);
  if (principal?.router.id !== router.id) throw new DomainError('BAD_REQUEST', 'X-Router-Api-Key no es una API Key vigente de este router');
  const company = await findCompany(deps.dataSource.manager, router.companyId);
  return portalZip(portalFiles(portalConfig(deps.config, router, apiKey, chooseGateway(usableGateways(company, deps.config), gateway))));
}
