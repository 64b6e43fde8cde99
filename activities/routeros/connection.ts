import type { RouterEntity } from '../../db/entities';
import type { SecretBox } from '../../shared/secrets';
import { finalFailure } from '../failures';
import type { RouterConnection } from './client';
import type { RouterCache } from './router-cache';

/** How to reach a router, from its cached row (the API password decrypted here, never carried in workflow history). */
export async function routerConnection(routers: Pick<RouterCache, 'get'>, secrets: SecretBox, routerId: string | null): Promise<RouterConnection> {
  return connectionOf(secrets, routerId ? await routers.get(routerId) : null, routerId);
}

/** How to reach a router whose row was read already (joined with its purchase's, or cached); NOT_FOUND when there is none. */
export function connectionOf(secrets: SecretBox, router: RouterEntity | null, routerId: string | null): RouterConnection {
  if (!router) throw finalFailure('NOT_FOUND', `router ${routerId} does not exist`);
  return {
    id: router.id,
    host: router.host,
    port: router.port,
    useTls: router.useTls,
    tlsVerify: router.tlsVerify,
    tlsFingerprint: router.tlsFingerprint,
    user: router.apiUser,
    password: secrets.decrypt(router.apiPasswordEncrypted),
  };
}
