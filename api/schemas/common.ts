import { z } from 'zod';
import { isIPv4, isMacAddress, normalizeMac } from '../../domain/network';

/** `{"detail": …}`: every error the API answers. */
export const ErrorResponse = z.object({ detail: z.unknown() }).describe('Error');

/** `{"detail": "…"}` with a message: the errors that name their problem in one sentence. */
export const ErrorMessage = z.object({ detail: z.string() });

export const ValidationErrorResponse = z
  .object({
    detail: z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })),
  })
  .describe('Validation error: one entry per field');

/** A MAC address in `AA:BB:…` or `aa-bb-…` form, normalised to upper-case colons. */
export const MacAddress = z
  .string()
  .trim()
  .refine(isMacAddress, { error: 'Dirección MAC inválida' })
  .transform(normalizeMac);

export const IPv4Address = z.string().trim().refine(isIPv4, { error: 'Dirección IP inválida' });

/** Optional text that the original accepted as empty or null: both become undefined. */
export const optionalBlank = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null || v === '' ? undefined : v), schema.optional());
