import type { RouteContext, ZodApp } from '../../context';
import { portalGuards } from '../../portal/guards';
import { purchaseAnswer } from '../../portal/purchase-view';
import { VoucherRedemption } from '../../portal/vouchers';
import { routerOf, SECURITY } from '../../plugins/auth';
import { rateLimit } from '../../plugins/rate-limit';
import { ErrorResponse, ValidationErrorResponse } from '../../schemas/common';
import { deviceProblem } from '../../schemas/portal/device';
import { PurchaseAccepted, PurchaseApproved } from '../../schemas/portal/purchases';
import { RedeemVoucherRequest } from '../../schemas/portal/vouchers';

/** Redeeming a voucher: its access is provisioned by the purchase workflow, answered like an approved purchase. */
export function registerVoucherRoutes(app: ZodApp, ctx: RouteContext): void {
  const redemption = new VoucherRedemption(ctx);
  // Guessing codes is bounded per router and device (its MAC, else the client IP) and per router.
  const throttle = rateLimit(ctx.rateLimits, [
    {
      name: 'voucher-device',
      perMinute: ctx.config.RATE_LIMIT_VOUCHERS_PER_DEVICE_PER_MINUTE,
      key: (r) => r.routerPrincipal && `${r.routerPrincipal.router.id}:${(r.body as { mac_cliente?: { address?: string } } | undefined)?.mac_cliente?.address ?? r.ip}`,
    },
    { name: 'voucher-router', perMinute: ctx.config.RATE_LIMIT_VOUCHERS_PER_ROUTER_PER_MINUTE, key: (r) => r.routerPrincipal?.router.id },
  ]);

  app.post(
    '/api/v1/vouchers/canjear',
    {
      preHandler: [...portalGuards(ctx), throttle],
      schema: {
        tags: ['Vouchers'],
        summary: 'Redeem a voucher: provisions its access on this router and logs the device in, like an approved purchase',
        description:
          'Send the code as printed (dashes and spaces are ignored), `contrasena` for a username + password voucher, and the device’s MAC/IP to log it in. One code gives one access: a second redemption gets 409.',
        security: SECURITY.routerKey,
        body: RedeemVoucherRequest,
        response: {
          200: PurchaseApproved,
          202: PurchaseAccepted,
          401: ErrorResponse,
          403: ErrorResponse.describe('The voucher belongs to another company, or to another router of this one'),
          404: ErrorResponse.describe('No voucher has this code'),
          409: ErrorResponse.describe('Already redeemed, revoked, or past its redeem-by date'),
          422: ValidationErrorResponse,
          429: ErrorResponse,
          503: ErrorResponse.describe('Router, database or Temporal unreachable: the voucher stays unused (Retry-After says when to try again)'),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const progress = await redemption.redeem(routerOf(request), {
        code: body.codigo,
        password: body.contrasena,
        mac: body.mac_cliente.address,
        ip: body.ip_cliente.address,
        deviceProblem: deviceProblem(body.mac_cliente, body.ip_cliente),
        autoConnect: body.conexion_automatica,
      });
      const answer = purchaseAnswer(ctx, progress);
      return answer.status === 200 ? reply.code(200).send(answer.body) : reply.code(202).send(answer.body);
    },
  );
}
