import type { DataSource } from 'typeorm';
import { RouterEntity } from '../../db/entities';
import type { SecretBox } from '../../shared/secrets';
import { finalFailure } from '../failures';
import type { RouterConnection } from './client';

/** How to reach a router, from its row (the API password decrypted here, never carried in workflow history). */
export async function routerConnection(dataSource: DataSource, secrets: SecretBox, routerId: string | null): Promise<RouterConnection> {
  const router = routerId ? await dataSource.getRepository(RouterEntity).findOneBy({ id: routerId }) : null;
  return connectionOf(secrets, router, routerId);
}

/** How to reach a router whose row was read already (joined with its purchase's); NOT_FOUND when there is none. */
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
