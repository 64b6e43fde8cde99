import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { DomainError } from '../../domain/errors';
import { gatewayName } from '../../domain/messages';
import { GATEWAYS, type Gateway } from '../../domain/purchase';
import type { CompanyEntity, RouterEntity } from '../../db/entities';
import { canCharge } from '../../db/repositories/companies';
import type { Config } from '../../shared/config';
import { PORTAL_FOLDER } from './router-setup';

/**
 * The captive portal for one router: the files of `portal/` (the hotspot's html-directory) plus `config.js`, the only
 * file that differs between routers (API base URL, the router's API key, the gateway, and which tokenizer scripts to
 * load). The API key sits in the page anyway, so it is public by design; the API's hardening does not rely on it.
 */

export const CONFIG_FILE = 'config.js';

/** What config.js carries (field names are the portal's, in Spanish like the rest of the public contract). */
export interface PortalConfig {
  api: string;
  apiKey: string;
  pasarela: Gateway;
  tokenizadores: Record<Gateway, string>;
  routerId: string;
}

/** The folder of the portal sources: `portal/` at the project root, from the sources or from dist/. */
export function portalSourceDir(start = __dirname): string {
  for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'portal', 'login.html'))) return path.join(dir, 'portal');
  }
  throw new Error('portal/ not found above the API: ship it beside dist/ (see the Dockerfile)');
}

/** Every file of `dir` (recursively), by its path relative to `dir` with `/` separators; dot-files are skipped. */
export function readPortalSources(dir = portalSourceDir()): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(dir, relative)).sort()) {
      if (name.startsWith('.')) continue;
      const child = relative ? `${relative}/${name}` : name;
      if (statSync(path.join(dir, child)).isDirectory()) walk(child);
      else files.set(child, readFileSync(path.join(dir, child)));
    }
  };
  walk('');
  return files;
}

/** The gateways a company can take payments with: a public key for the page and a private key for the charge. */
export function usableGateways(company: CompanyEntity, config: Pick<Config, 'CONEKTA_DEFAULT_PUBLIC_KEY' | 'CONEKTA_DEFAULT_PRIVATE_KEY'>): Gateway[] {
  const publicKey: Record<Gateway, string | null> = {
    conekta: company.conektaPublicKey || config.CONEKTA_DEFAULT_PUBLIC_KEY,
    mercado_pago: company.mercadoPagoPublicKey,
  };
  return GATEWAYS.filter((gateway) => publicKey[gateway] && canCharge(company, gateway, config.CONEKTA_DEFAULT_PRIVATE_KEY));
}

/** The gateway the portal uses: the one asked for (it must be usable), or the only one, or Conekta when both are. */
export function chooseGateway(usable: Gateway[], requested: Gateway | undefined): Gateway {
  if (requested !== undefined && !usable.includes(requested)) {
    throw new DomainError('CONFLICT', `La empresa no tiene ${gatewayName(requested)} configurado (llaves pública y privada)`);
  }
  const gateway = requested ?? usable[0];
  if (gateway === undefined) throw new DomainError('CONFLICT', 'La empresa no tiene ninguna pasarela de pago configurada');
  return gateway;
}

export function portalConfig(config: Config, router: Pick<RouterEntity, 'id'>, apiKey: string, gateway: Gateway): PortalConfig {
  return {
    api: config.PUBLIC_BASE_URL,
    apiKey,
    pasarela: gateway,
    tokenizadores: { conekta: config.CONEKTA_TOKENIZER_URL, mercado_pago: config.MERCADO_PAGO_SDK_URL },
    routerId: router.id,
  };
}

/** config.js: one global the pages read before anything else. `<` is escaped so the value can never close a tag. */
export function configScript(value: PortalConfig): string {
  const json = JSON.stringify(value).replace(/</g, '\\u003c');
  return `/* Pagos Hotspot: the settings of router ${value.routerId}. Generated; the other files are the same for every router. */\nwindow.PAGOS_HOTSPOT = ${json};\n`;
}

/** The portal's files for one router: the sources plus its config.js. */
export function portalFiles(value: PortalConfig, sources = readPortalSources()): Map<string, Buffer> {
  return new Map([...sources, [CONFIG_FILE, Buffer.from(configScript(value))]]);
}

/** A zip of the files inside one `pagos-hotspot/` folder, ready to upload to the router's flash or storage. */
export function portalZip(files: Map<string, Buffer>, modified = new Date()): Buffer {
  const entries: Zippable = {};
  for (const [name, content] of files) entries[`${PORTAL_FOLDER}/${name}`] = [new Uint8Array(content), { mtime: modified }];
  return Buffer.from(zipSync(entries, { level: 9 }));
}
