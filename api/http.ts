import type { FastifyReply } from 'fastify';

/** Small HTTP details shared by the routes and the modules that read requests. */

/** A request header's value: the first one when the header was sent more than once. */
export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Array lists keep their bare-array body (as portals and panels written for the previous service read it); the total for paging travels in `X-Total-Count`. */
export function withTotal(reply: FastifyReply, total: number): void {
  reply.header('x-total-count', String(total));
  reply.header('access-control-expose-headers', 'X-Total-Count');
}
