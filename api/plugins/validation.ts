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
    const unsafe = text.error?.issues ?? [];
    // A field with unsafe text is reported for that, not also for whatever else its schema thinks of it.
    const taken = new Set(unsafe.map((issue) => pathKey(issue.path)));
    const issues = [...unsafe, ...(parsed.error?.issues ?? []).filter((issue) => !taken.has(pathKey(issue.path)))];
    return { error: new RequestValidationError(issues) };
  };
