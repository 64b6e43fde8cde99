import type { FastifyReply, FastifyRequest } from 'fastify';

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

/**
 * For a route that takes no body: a request that declares a content type but carries nothing (clients of the previous
 * service send `Content-Type: application/json` with an empty body) is taken as the bodiless request it is, instead of
 * failing to parse as JSON. An `onRequest` hook: the content type is read after it.
 */
export async function ignoreEmptyBody(request: FastifyRequest): Promise<void> {
  const { headers } = request;
  const empty = headers['content-length'] === '0' || (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined);
  if (empty) delete headers['content-type'];
}
