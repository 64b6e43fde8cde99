import type { DataSource } from 'typeorm';
import { CompanyEntity, ProductEntity, type RouterEntity } from '../../db/entities';
import type { Config } from '../../shared/config';
import { DomainError } from '../../domain/errors';

/**
 * The RouterOS script that prepares a router for this service (`setup.rsc`), for RouterOS 6.49+ and 7: a
 * least-privilege API group and user, the API service restricted to our addresses, the walled garden the portal needs
 * before login, the hotspot profile (login methods, html-directory) and the hotspot user profiles our products name.
 * Every step checks before it changes, so a second run changes nothing. Each line is explained in docs/router-setup.md.
 */

/** Name of the router group (and tag of every entry) this service creates. */
export const SETUP_TAG = 'pagos-hotspot';
/** The global variable the operator sets to the API password before importing the script. */
export const PASSWORD_VARIABLE = 'pagosHotspotPassword';
/** Folder of the portal files on the router (under `flash/` on devices that have one). */
export const PORTAL_FOLDER = 'pagos-hotspot';
/** What the service's commands need: API login, reads (prints) and writes (hotspot users, sessions, cookies). */
export const API_POLICIES = ['api', 'read', 'write'] as const;
/** Login methods of the hotspot server profile: the portal's CHAP form, and returning devices by MAC cookie. */
export const LOGIN_BY = 'http-chap,mac-cookie';
const MIN_PASSWORD_LENGTH = 12;

/**
 * Hosts the portal reaches before the customer is logged in, besides the API and the configured tokenizer scripts:
 * Conekta's tokenizer and 3-D Secure pages and its API, Mercado Pago's SDK, API, secure fields and the static and
 * device-fingerprint hosts its SDK loads. Card issuers' 3-D Secure pages have no published list (docs/router-setup.md).
 */
export const GATEWAY_HOSTS = [
  'pay.conekta.com',
  'api.conekta.io',
  'sdk.mercadopago.com',
  'api.mercadopago.com',
  'secure-fields.mercadopago.com',
  'api-static.mercadopago.com',
  'http2.mlstatic.com',
  'events.mercadopago.com',
  'www.mercadopago.com',
] as const;

export interface RouterSetupInput {
  router: Pick<RouterEntity, 'id' | 'name' | 'apiUser' | 'port' | 'useTls'>;
  companyName: string;
  /** Hotspot user profiles the router's products name. */
  profileNames: string[];
  /** Where the worker connects from (`address=` of the API user and service). */
  sourceAddresses: string[];
  /** Walled-garden hosts, without duplicates. */
  walledGardenHosts: string[];
  apiBaseUrl: string;
  generatedAt: Date;
}

/** A RouterOS string literal: quotes, backslashes and `$` escaped; control characters cannot appear in one. */
const isControl = (c: string) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f;

export function rosString(value: string): string {
  if ([...value].some(isControl)) throw new DomainError('VALIDATION_FAILED', `Valor no válido para RouterOS (caracteres de control): ${JSON.stringify(value)}`);
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/** Text safe inside a `#` comment line: one line, printable. */
const commentText = (value: string) => [...value].map((c) => (isControl(c) ? ' ' : c)).join('');

/** `host` of each URL plus the gateways' hosts, once each, in that order. */
export function walledGardenHosts(config: Pick<Config, 'PUBLIC_BASE_URL' | 'CONEKTA_TOKENIZER_URL' | 'MERCADO_PAGO_SDK_URL'>): string[] {
  const fromUrls = [config.PUBLIC_BASE_URL, config.CONEKTA_TOKENIZER_URL, config.MERCADO_PAGO_SDK_URL].map((url) => new URL(url).hostname);
  return [...new Set([...fromUrls, ...GATEWAY_HOSTS])];
}

/** Reads what the script needs from the database and the configuration. */
export async function loadRouterSetup(dataSource: DataSource, config: Config, router: RouterEntity): Promise<RouterSetupInput> {
  if (config.ROUTER_API_SOURCE_ADDRESSES.length === 0) {
    throw new DomainError(
      'CONFLICT',
      'Falta ROUTER_API_SOURCE_ADDRESSES: las direcciones desde las que el servicio se conecta a los routers (el script solo les da acceso a ellas)',
    );
  }
  const company = await dataSource.getRepository(CompanyEntity).findOneByOrFail({ id: router.companyId });
  const rows: { profile_name: string }[] = await dataSource
    .getRepository(ProductEntity)
    .createQueryBuilder('p')
    .select('DISTINCT p.profile_name', 'profile_name')
    .where('p.router_id = :routerId', { routerId: router.id })
    .orderBy('p.profile_name')
    .getRawMany();
  return {
    router,
    companyName: company.name,
    profileNames: rows.map((r) => r.profile_name),
    sourceAddresses: config.ROUTER_API_SOURCE_ADDRESSES,
    walledGardenHosts: walledGardenHosts(config),
    apiBaseUrl: config.PUBLIC_BASE_URL,
    generatedAt: new Date(),
  };
}

/**
 * The script. Messages are ASCII on purpose: RouterOS prints script strings byte by byte. The whole body is one
 * `{ … }` block because `/import` forgets `:local` variables between top-level lines.
 */
export function routerSetupScript(input: RouterSetupInput): string {
  const { router } = input;
  const user = rosString(router.apiUser);
  const tag = rosString(SETUP_TAG);
  const addresses = rosString(input.sourceAddresses.join(','));
  const service = router.useTls ? 'api-ssl' : 'api';
  const lines = [
    `# Pagos Hotspot: router setup for "${commentText(router.name)}" (${router.id}) of ${commentText(input.companyName)}.`,
    `# Generated ${input.generatedAt.toISOString()} by ${input.apiBaseUrl}. RouterOS 6.49+ and 7. Safe to run again.`,
    `# Before importing it, set the API password stored for this router in Pagos Hotspot (at least ${MIN_PASSWORD_LENGTH} characters;`,
    '# write \\$ for a dollar sign):',
    `#   :global ${PASSWORD_VARIABLE} "the-password"`,
    '#   /import file-name=pagos-hotspot-setup.rsc',
    '# Every line is explained in docs/router-setup.md.',
    '{',
    `:global ${PASSWORD_VARIABLE}`,
    '',
    '# 0. Checks first: nothing changes unless they all pass.',
    `:if ([:len $${PASSWORD_VARIABLE}] < ${MIN_PASSWORD_LENGTH}) do={ :error "Set :global ${PASSWORD_VARIABLE} to the router's API password stored in Pagos Hotspot (${MIN_PASSWORD_LENGTH}+ characters) and import again." }`,
    ':if ([:len [/ip hotspot find]] = 0) do={ :error "This router has no hotspot server: create one first (/ip hotspot setup), then import again." }',
    `:if ([:len [/user find where name=${user}]] > 0) do={ :if ([/user get [find where name=${user}] group] != ${tag}) do={ :error "The user ${escapeInMessage(router.apiUser)} already exists in another group: choose another API user for this router in Pagos Hotspot." } }`,
    '',
    '# 1. API group: log in over the API, read, and change hotspot users and sessions. Nothing else.',
    `:if ([:len [/user group find where name=${tag}]] = 0) do={ /user group add name=${tag} policy=${API_POLICIES.join(',')} comment="Pagos Hotspot API" }`,
    `/user group set [find where name=${tag}] policy=${API_POLICIES.join(',')}`,
    '',
    '# 2. API user, allowed only from the service\'s addresses.',
    `:if ([:len [/user find where name=${user}]] = 0) do={ /user add name=${user} group=${tag} password=$${PASSWORD_VARIABLE} address=${addresses} comment="Pagos Hotspot" }`,
    `/user set [find where name=${user}] group=${tag} password=$${PASSWORD_VARIABLE} address=${addresses}`,
    `:set ${PASSWORD_VARIABLE}`,
    '',
    `# 3. The ${service} service, on port ${router.port}, only for the service's addresses.`,
    `/ip service set [find where name="${service}"] port=${router.port} address=${addresses} disabled=no`,
    ...(router.useTls
      ? [
          '# The plain API sends the login password in clear: the service does not use it.',
          '/ip service set [find where name="api"] disabled=yes',
          ':if ([/ip service get [find where name="api-ssl"] certificate] = "none") do={ :put "api-ssl has no certificate yet: see docs/router-setup.md (Certificate) to create one and pin it in Pagos Hotspot." }',
        ]
      : [':put "The plain API sends its login in clear: prefer api-ssl (docs/router-setup.md, Certificate)."']),
    '',
    '# 4. Walled garden: what the portal loads before the customer has paid.',
    ...input.walledGardenHosts.flatMap((host) => {
      const h = rosString(host);
      return [
        `:if ([:len [/ip hotspot walled-garden find where dst-host=${h} and comment=${tag}]] = 0) do={ /ip hotspot walled-garden add dst-host=${h} action=allow comment=${tag} }`,
        `:if ([:len [/ip hotspot walled-garden ip find where dst-host=${h} and comment=${tag}]] = 0) do={ /ip hotspot walled-garden ip add dst-host=${h} action=accept comment=${tag} }`,
      ];
    }),
    '',
    '# 5. Hotspot server profiles: the portal folder, CHAP logins and MAC cookies.',
    `:local dir "${PORTAL_FOLDER}"`,
    `:if ([:len [/file find where name="flash"]] > 0) do={ :set dir "flash/${PORTAL_FOLDER}" }`,
    `:foreach server in=[/ip hotspot find] do={ /ip hotspot profile set [find where name=[/ip hotspot get $server profile]] login-by=${LOGIN_BY} html-directory=$dir }`,
    '',
    '# 6. Hotspot user profiles the products sell, created if missing (MAC cookie on, for returning devices).',
    ...input.profileNames.map((name) => {
      const n = rosString(name);
      return `:if ([:len [/ip hotspot user profile find where name=${n}]] = 0) do={ /ip hotspot user profile add name=${n} add-mac-cookie=yes }`;
    }),
    '',
    '# 7. The portal files: upload portal.zip\'s contents to the folder above (docs/router-setup.md, Portal).',
    ':if ([:len [/file find where name="$dir/login.html"]] = 0) do={ :put "Portal files missing: upload the contents of portal.zip to $dir" }',
    ':put "Pagos Hotspot: setup done."',
    '}',
    '',
  ];
  return lines.join('\n');
}

/** Text for inside a script's double-quoted message. */
function escapeInMessage(value: string): string {
  return rosString(value).slice(1, -1);
}
