import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { SafeText } from '../schemas/common';

/** A request part (body, query string, params, headers) that its schema refused; answered 422 by api/plugins/errors.ts. */
export class RequestValidationError extends Error {
  readonly statusCode = 422;
  /** Set by Fastify: `body`, `querystring`, `params` or `headers`. */
  validationContext?: string;

  constructor(readonly issues: z.core.$ZodIssue[]) {
    super('request validation failed');
    this.name = 'RequestValidationError';
  }
}

const pathKey = (path: PropertyKey[]) => path.map(String).join('\u0001');

/**
 * Validates every request part with its route's zod schema and with the shared SafeText check, and reports the
 * problems of both at once (a 422 lists every field). Issues carry their input, so a wrongly typed value is told
 * apart from a missing one; the error handler never echoes it.
 */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data) => {
    const text = SafeText.safeParse(data);
    const parsed = schema.safeParse(data, { reportInput: true });
    if (text.success && parsed.success) return { value: parsed.data };
    // One problem per field: the schema's own (it may be stricter, e.g. no control characters in a credential), else
    // the unsafe text its schema let through.
    const own = parsed.error?.issues ?? [];
    const reported = new Set(own.map((issue) => pathKey(issue.path)));
    const unsafe = (text.error?.issues ?? []).filter((issue) => !reported.has(pathKey(issue.path)));
    return { error: new RequestValidationError([...own, ...unsafe]) };
  };
