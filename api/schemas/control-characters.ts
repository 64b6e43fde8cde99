import type { z } from 'zod';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Refuses control characters (U+0000–U+001F, U+007F) in a router field or a credential. These values travel inside
 * other protocols (a RouterOS login, a URL path, a log line), where a line break or a NUL could start something new.
 */
export function withoutControlCharacters<T extends z.ZodType<string | null | undefined>>(schema: T): T {
  return schema.refine((value) => typeof value !== 'string' || !CONTROL.test(value), {
    error: 'No se permiten caracteres de control',
  }) as T;
}
