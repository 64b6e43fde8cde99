import { z } from 'zod';

/**
 * An object schema whose fields are accepted under their English name or their Spanish alias, as the original's
 * pydantic models did with `populate_by_name`. The parsed value uses the English names; a problem is reported under
 * the alias (what the original reported). The OpenAPI document lists both names.
 */
export function withAliases<S extends z.ZodRawShape>(shape: S, aliases: Partial<Record<keyof S & string, string>>) {
  const strict = z.object(shape);
  const loose: Record<string, z.ZodType> = {};
  for (const [name, schema] of Object.entries(shape) as [string, z.ZodType][]) {
    loose[name] = z.optional(schema);
    const alias = aliases[name as keyof S & string];
    if (alias) loose[alias] = z.optional(schema).describe(`Alias de \`${name}\``);
  }
  return z.object(loose).transform((value, ctx): z.output<typeof strict> => {
    const merged: Record<string, unknown> = {};
    for (const name of Object.keys(shape)) {
      const alias = aliases[name as keyof S & string];
      merged[name] = alias !== undefined && value[alias] !== undefined ? value[alias] : value[name];
    }
    const result = strict.safeParse(merged);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const [head, ...rest] = issue.path;
      const reported = (typeof head === 'string' && aliases[head as keyof S & string]) || head;
      ctx.addIssue({ ...(issue as object), path: [reported as PropertyKey, ...rest] } as Parameters<typeof ctx.addIssue>[0]);
    }
    return z.NEVER;
  });
}
