import { z } from 'zod';
import { ApiKeyInfo } from './routers';

export const ApiKeyParams = z.object({
  empresa_id: z.string().trim().min(1).max(50),
  router_id: z.string().trim().min(1).max(50),
  key_id: z.string().trim().min(1).max(50),
});

export const RegenerateApiKeyResponse = z.object({
  message: z.string(),
  router_id: z.string(),
  /** Shown only this once; only its hash is stored. */
  new_api_key: z.string(),
  api_key_info: ApiKeyInfo,
  previous_key_revoked: z.boolean(),
});

/** A router key's record, in the shape panels written for the previous service read. */
export const ApiKeyRecord = z.object({
  key_id: z.string(),
  router_id: z.string(),
  empresa_id: z.string(),
  issued_at: z.string(),
  expires_at: z.string(),
  revoked: z.boolean(),
  revoked_at: z.string().nullable(),
  last_used: z.string().nullable(),
  use_count: z.number(),
});

export const RevokeApiKeyResponse = z.object({ message: z.string(), key_id: z.string(), router_id: z.string(), revoked_at: z.string() });

export const ApiKeyStatusResponse = z.object({
  router_id: z.string(),
  has_active_key: z.boolean(),
  key_id: z.string().nullable(),
  issued_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  expires_in_days: z.number().nullable(),
  last_used: z.string().nullable(),
  use_count: z.number().nullable(),
  status: z.enum(['active', 'expired', 'no_key']),
  warning: z.string().nullable(),
  recommendation: z.string().nullable(),
});
