import type { FastifyReply } from 'fastify';

/** Small HTTP details shared by the routes and the modules that read requests. */

/** A request header's value: the first one when the header was sent more than once. */
export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A page of a list as its body: a bare array (what panels written for the previous service read), each row through
 * `view`, with the total for paging in `X-Total-Count`.
 */
export function pageBody<T, R>(reply: FastifyReply, page: { rows: T[]; total: number }, view: (row: T) => R): R[] {
  reply.header('x-total-count', String(page.total));
  reply.header('access-control-expose-headers', 'X-Total-Count');
  return page.rows.map(view);
}
