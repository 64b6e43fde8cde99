import { isIP } from 'node:net';
import { z } from 'zod';
import { isHostName } from '../../../shared/router-endpoints';
import { withAliases } from '../aliases';
import { withoutControlCharacters } from '../control-characters';
import { ListQuery } from './common';

/** An IPv4 or IPv6 address or a DNS host name; never an address in another spelling (`127.1`, `0x7f000001`). */
const Host = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .refine((v) => isIP(v) !== 0 || isHostName(v), { error: 'Host inválido' });
const Port = z.number().int().min(1).max(65535);
const Name = withoutControlCharacters(z.string().trim().min(1).max(100));
const ApiUser = withoutControlCharacters(z.string().trim().min(1).max(100));
const ApiPassword = withoutControlCharacters(z.string().min(1).max(200));
const Location = withoutControlCharacters(z.string().trim().max(200)).nullable().optional();
/** SHA-256 certificate fingerprint, with or without colons; stored as `AA:BB:…` (95 characters). */
const Fingerprint = z
  .string()
  .trim()
  .regex(/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, { error: 'Huella SHA-256 inválida' })
  .transform((v) => v.replace(/:/g, '').toUpperCase().match(/../g)!.join(':'));

export const CompanyRouterParams = z.object({
  empresa_id: z.string().trim().min(1).max(50),
  router_id: z.string().trim().min(1).max(50),
});
export const RouterParams = z.object({ router_id: z.string().trim().min(1).max(50) });

export const CreateRouterRequest = z.object({
  /** Panels written for the previous service send it; the path's company wins, a different one is refused. */
  empresa_id: z.string().trim().max(50).optional(),
  nombre: Name,
  host: Host,
  /** Default 8728, or 8729 with `use_tls`. */
  puerto: Port.optional(),
  usuario: ApiUser,
  password: ApiPassword,
  ubicacion: Location,
  use_tls: z.boolean().optional(),
  tls_verify: z.boolean().optional(),
  tls_fingerprint: Fingerprint.nullable().optional(),
});

/**
 * Connection data; a field left out is unchanged (the port too, never reset to 8728). A change of host, port or TLS
 * settings needs the password again: the stored one goes only to the endpoint it was given for.
 */
export const UpdateRouterRequest = withAliases(
  {
    nombre: Name.optional(),
    host: Host.optional(),
    puerto: Port.optional(),
    usuario: ApiUser.optional(),
    password: ApiPassword.optional(),
    ubicacion: Location,
    use_tls: z.boolean().optional(),
    tls_verify: z.boolean().optional(),
    tls_fingerprint: Fingerprint.nullable().optional(),
  },
  // The name panels written for the previous service give the RouterOS password.
  { password: 'password_encrypted' },
);

export const RouterListQuery = ListQuery;

export const RouterResponse = z.object({
  id: z.string(),
  empresa_id: z.string(),
  nombre: z.string(),
  host: z.string(),
  puerto: z.number(),
  usuario: z.string(),
  ubicacion: z.string().nullable(),
  activo: z.boolean(),
  use_tls: z.boolean(),
  tls_verify: z.boolean(),
  tls_fingerprint: z.string().nullable(),
  creado_en: z.string(),
});

export const ApiKeyInfo = z.object({
  key_id: z.string(),
  issued_at: z.string(),
  expires_at: z.string(),
  type: z.literal('router_api_key'),
});

/** The API key appears here once; only its hash is stored. */
export const RouterCreateResponse = RouterResponse.extend({ api_key: z.string(), api_key_info: ApiKeyInfo });

export const RouterUpdateResponse = z.object({ message: z.string(), router: RouterResponse });

export const SetRouterActiveRequest = z.object({ activo: z.boolean() });
export const RouterActiveResponse = z.object({ message: z.string(), router_id: z.string(), activo: z.boolean() });
export const RouterDeletedResponse = z.object({ message: z.string(), router_id: z.string() });

export const TestConnectionResponse = z.object({
  success: z.boolean(),
  message: z.string(),
  router: z.object({ id: z.string(), nombre: z.string(), host: z.string(), puerto: z.number(), activo: z.boolean() }),
  perfiles_encontrados: z.number(),
  router_name: z.string().nullable(),
  version: z.string().nullable(),
  latencia_ms: z.number().nullable(),
  error: z.string().nullable(),
  timestamp: z.string(),
});

/** A hotspot user profile as admin panels list it, every field filled from the router. */
export const HotspotProfileResponse = z.object({
  id: z.string(),
  name: z.string(),
  session_timeout: z.string().nullable(),
  idle_timeout: z.string().nullable(),
  keepalive_timeout: z.string().nullable(),
  status_autorefresh: z.string().nullable(),
  shared_users: z.string().nullable(),
  rate_limit: z.string().nullable(),
  address_list: z.string().nullable(),
  mac_cookie_timeout: z.string().nullable(),
  add_mac_cookie: z.boolean().nullable(),
});
