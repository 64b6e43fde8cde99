import { z } from 'zod';

/**
 * An object schema whose fields are accepted under their English name or their Spanish alias, as clients written for
 * the previous service send either. The parsed value uses the English names; a problem is reported under the alias
 * (where those clients look for it). The OpenAPI document lists both names, and requires one of them.
 */
export function withAliases<S extends z.ZodRawShape>(shape: S, aliases: Partial<Record<keyof S & string, string>>) {
  type Output = z.output<z.ZodObject<S>>;
  const loose: Record<string, z.ZodType> = {};
  for (const [name, schema] of Object.entries(shape) as [string, z.ZodType][]) {
    loose[name] = z.optional(schema);
    const alias = aliases[name as keyof S & string];
    if (alias) loose[alias] = z.optional(schema).describe(`Alias de \`${name}\``);
  }
  // A required field must come under one of its names; checked even when other fields are invalid, so one 422
  // lists every problem (as FastAPI did) — but only on an object: anything else is reported as not being one.
  const required = (Object.entries(shape) as [string, z.ZodType][]).filter(([, schema]) => !schema.safeParse(undefined).success);
  const isObject = (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value);
  const presence = required.map(([name]) => {
    const alias = aliases[name as keyof S & string];
    return z.refine<Record<string, unknown>>((value) => value[name] !== undefined || (alias !== undefined && value[alias] !== undefined), {
      path: [alias ?? name],
      message: 'Field required',
      params: { missing: true },
      when: isObject,
    });
  });
  // The document says the same: each required field under one of its names (JSON Schema cannot see the refinements).
  const documentedRequired = required.map(([name]) => {
    const alias = aliases[name as keyof S & string];
    return alias ? { anyOf: [{ required: [name] }, { required: [alias] }] } : { required: [name] };
  });
  return z
    .object(loose)
    .meta(documentedRequired.length > 0 ? { allOf: documentedRequired } : {})
    .check(...presence)
    .transform((value): Output => {
      const merged: Record<string, unknown> = {};
      for (const [name, schema] of Object.entries(shape) as [string, z.ZodType][]) {
        const alias = aliases[name as keyof S & string];
        const given = alias !== undefined && value[alias] !== undefined ? value[alias] : value[name];
        // Already parsed (and transformed) once above; an absent optional field gets its own default, if any.
        const resolved = given !== undefined ? given : schema.parse(undefined);
        if (resolved !== undefined) merged[name] = resolved;
      }
      return merged as Output;
    });
}
