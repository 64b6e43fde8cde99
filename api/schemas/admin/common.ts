import { z } from 'zod';
import { SECURITY } from '../../plugins/auth';
import { ErrorResponse, ValidationErrorResponse } from '../common';

/** `?limit=&offset=`, bounded: a client asking for more than `maxSize` rows gets a 422, never an unbounded query. */
const pageQuery = (defaultSize: number, maxSize: number) =>
  z.object({
    limit: z.coerce.number().int().min(1).max(maxSize).default(defaultSize),
    offset: z.coerce.number().int().min(0).default(0),
  });

/** The answers that carry their total in the body (transactions, purchases, audit): 50 rows unless asked, as the original's transactions, at most 100. */
export const PageQuery = pageQuery(50, 100);

/** Largest list answered as a bare array. */
const LIST_MAX_SIZE = 1000;

/**
 * The lists the original answered whole (companies, routers, users, products, keys): panels written for it read the
 * bare array, so without `limit` a list returns up to LIST_MAX_SIZE rows; the total is in X-Total-Count.
 */
export const ListQuery = pageQuery(LIST_MAX_SIZE, LIST_MAX_SIZE);

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

