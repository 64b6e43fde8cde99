import { RouterApiKeyEntity, type RouterEntity } from '../../db/entities';
import { findCompany } from '../../db/repositories/companies';
import { DomainError } from '../../domain/errors';
import type { Gateway } from '../../domain/purchase';
import type { RouteContext } from '../context';
import { chooseGateway, portalConfig, portalFiles, portalZip, usableGateways } from './portal-package';
import { loadRouterSetup, routerSetupScript } from './router-setup';

/** Onboarding a router: its RouterOS setup script and its captive portal (the work is in router-setup.ts and portal-package.ts). */

type OnboardingDeps = Pick<RouteContext, 'dataSource' | 'config' | 'routerKeys' | 'secrets'>;

/** The RouterOS script that prepares the router for the service. */
export async function setupScript(deps: OnboardingDeps, router: RouterEntity): Promise<string> {
  return routerSetupScript(await loadRouterSetup(deps.dataSource, deps.config, router));
}

/**
 * The zipped portal for one router, carrying the router's API key in its config.js: the one the admin sends (it must
 * be a valid key of this very router), else the router's current key as stored encrypted.
 */
export async function portalPackage(deps: OnboardingDeps, router: RouterEntity, sentKey: string | undefined, gateway: Gateway | undefined): Promise<Buffer> {
  const apiKey = sentKey === undefined ? await storedKey(deps, router) : await checkedKey(deps, router, sentKey);
  const company = await findCompany(deps.dataSource.manager, router.companyId);
  return portalZip(portalFiles(portalConfig(deps.config, router, apiKey, chooseGateway(usableGateways(company, deps.config), gateway))));
}

async function checkedKey(deps: OnboardingDeps, router: RouterEntity, apiKey: string): Promise<string> {
  const principal = await deps.routerKeys.authenticate({ 'x-api-key': apiKey }).catch(() => undefined);
  if (principal?.router.id !== router.id) throw new DomainError('BAD_REQUEST', 'X-Router-Api-Key no es una API Key vigente de este router');
  return apiKey;
}

/** The router's unrevoked, unexpired key. Keys issued before keys were kept encrypted have only their hash. */
async function storedKey(deps: OnboardingDeps, router: RouterEntity): Promise<string> {
  const key = await deps.dataSource.getRepository(RouterApiKeyEntity).findOneBy({ routerId: router.id, companyId: router.companyId, revoked: false });
  if (!key || key.expiresAt <= new Date()) {
    throw new DomainError('CONFLICT', 'El router no tiene una API Key vigente: regénerela para generar su portal');
  }
  if (!key.keyEncrypted) {
    throw new DomainError(
      'BAD_REQUEST',
      'La API Key de este router se emitió antes de que se guardara cifrada: envíela en la cabecera X-Router-Api-Key (la que recibió al crear el router o al regenerarla), o regénerela',
    );
  }
  return deps.secrets.decrypt(key.keyEncrypted);
}
