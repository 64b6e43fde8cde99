import { z } from 'zod';

/** `{"detail": …}`: every error the API answers. */
export const ErrorResponse = z.object({ detail: z.unknown() }).describe('Error');

/** `{"detail": "…"}` with a message: the errors that name their problem in one sentence. */
export const ErrorMessage = z.object({ detail: z.string() });

export const ValidationErrorResponse = z
  .object({
    detail: z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })),
  })
  .describe('Validation error: one entry per field');

/** Largest value of a PostgreSQL `integer`: every id and integer column, so a bigger number is refused at the edge. */
export const INT4_MAX = 2_147_483_647;

/** A row id in a JSON body (`producto_id`, reorder lists). */
export const Id = z.number().int().positive().max(INT4_MAX);

/** A row id in a path or a query string (`/products/12`, `?usuario_id=3`): the one schema every route uses. */
export const IdParam = z.coerce.number().int().positive().max(INT4_MAX);

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unsafeText = (text: string) => text.includes('\u0000') || UNPAIRED_SURROGATE.test(text);

/**
 * Text the database cannot store: PostgreSQL refuses NUL in text and jsonb, and an unpaired surrogate has no UTF-8
 * form. Checked on every string a request carries (api/plugins/validation.ts), so it is a 422, never a failed write.
 */
export const SafeText = z.unknown().superRefine((value, ctx) => {
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (typeof node === 'string') {
      if (unsafeText(node)) ctx.addIssue({ code: 'custom', path, message: 'Texto inválido: contiene NUL o caracteres Unicode incompletos' });
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, [...path, index]));
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, item] of Object.entries(node)) {
        if (unsafeText(key)) ctx.addIssue({ code: 'custom', path, message: 'Nombre de campo inválido: contiene NUL o caracteres Unicode incompletos' });
        else visit(item, [...path, key]);
      }
    }
  };
  visit(value, []);
});

/** Optional text that clients written for the previous service send as empty or null: both become undefined. */
export const optionalBlank = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null || v === '' ? undefined : v), schema.optional());
