import { z } from 'zod';
import { SECURITY } from '../../plugins/auth';
import { ErrorResponse, ValidationErrorResponse } from '../common';

/** Largest page any admin list returns: a client asking for more gets a 422, never an unbounded query. */
export const MAX_PAGE_SIZE = 100;

/** `?limit=&offset=` as panels written for the previous service send them, with a bound. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** `true` / `false` in a query string. */
export const QueryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar day (`2025-01-31`, UTC) or an instant with its offset (`2025-01-31T12:00:00Z`). */
const DayOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** `?desde=&hasta=`: `desde` is included; `hasta` as a day includes that whole day, as an instant is excluded. */
export const DateRangeQuery = z.object({ desde: DayOrInstant.optional(), hasta: DayOrInstant.optional() });

/** The range as `[from, before)`, for SQL. */
export function toDateRange(query: { desde?: string; hasta?: string }): { from?: Date; before?: Date } {
  const from = query.desde === undefined ? undefined : new Date(DAY.test(query.desde) ? `${query.desde}T00:00:00Z` : query.desde);
  let before: Date | undefined;
  if (query.hasta !== undefined) {
    before = DAY.test(query.hasta) ? new Date(Date.parse(`${query.hasta}T00:00:00Z`) + 86_400_000) : new Date(query.hasta);
  }
  return { from, before };
}

/** Refines a query holding a date range so `desde` is not after `hasta`. */
export function rangeInOrder(query: { desde?: string; hasta?: string }, ctx: z.RefinementCtx): void {
  const { from, before } = toDateRange(query);
  if (from && before && from >= before) {
    ctx.addIssue({ code: 'custom', path: ['hasta'], message: 'hasta debe ser posterior a desde' });
  }
}

export const Message = z.object({ message: z.string() });

/** The error bodies every admin route may answer (session, role, validation), besides the ones a route adds. */
const ADMIN_ERRORS = { 401: ErrorResponse, 403: ErrorResponse, 422: ValidationErrorResponse } as const;
export const NOT_FOUND = { 404: ErrorResponse } as const;

/** An admin route's schema: its tags, the admin session, and ADMIN_ERRORS under the route's own answers. */
export function adminSchema<S extends { response: object }>(tags: string[], schema: S) {
  return { tags, security: SECURITY.admin, ...schema, response: { ...ADMIN_ERRORS, ...schema.response } };
}

/** Timestamps leave the API as ISO-8601 UTC strings. */
export const iso = (date: Date): string => date.toISOString();
export const isoOrNull = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

