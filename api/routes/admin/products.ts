import {
  createProduct,
  deactivateProduct,
  findProduct,
  listProducts,
  reorderProducts,
  toProductResponse,
  updateProduct,
} from '../../admin/products';
import type { RouteContext, ZodApp } from '../../context';
import { pageBody } from '../../http';
import { actorOf, ownCompanyId, SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, NOT_FOUND } from '../../schemas/admin/common';
import {
  CreateProductRequest,
  ProductDeletedResponse,
  ProductListQuery,
  ProductParams,
  ProductResponse,
  ReorderProductsRequest,
  ReorderProductsResponse,
  UpdateProductRequest,
} from '../../schemas/admin/products';
import { ErrorResponse } from '../../schemas/common';

const TAGS = ['Cliente Admin - Products'];

/** Company admin: products — a price and a validity around a hotspot profile of an own router. */
export function registerProductRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');

  app.post(
    '/api/v1/admin/products',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Create a product; the profile must exist on the router (checked live through the worker)',
        security: SECURITY.admin,
        body: CreateProductRequest,
        response: { 201: ProductResponse, ...ADMIN_ERRORS, ...NOT_FOUND, 400: ErrorResponse, 502: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request, reply) => {
      const product = await createProduct(ctx, actorOf(request), ownCompanyId(request), request.body);
      return reply.code(201).send(toProductResponse(product));
    },
  );

  app.get(
    '/api/v1/admin/products',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'List own products, optionally of one router (?router_id=) or by state (?activo=); total in X-Total-Count',
        security: SECURITY.admin,
        querystring: ProductListQuery,
        response: { 200: ProductResponse.array(), ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request, reply) => pageBody(reply, await listProducts(ctx, ownCompanyId(request), request.query), toProductResponse),
  );

  app.put(
    '/api/v1/admin/products/reorder',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Set the display order of own products: the list given, first to last',
        security: SECURITY.admin,
        body: ReorderProductsRequest,
        response: { 200: ReorderProductsResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const ids = request.body.producto_ids;
      await reorderProducts(ctx, actorOf(request), ownCompanyId(request), ids);
      return { message: 'Orden actualizado', productos: ids.map((id, index) => ({ id, orden_visual: index })) };
    },
  );

  app.get(
    '/api/v1/admin/products/:producto_id',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Get an own product',
        security: SECURITY.admin,
        params: ProductParams,
        response: { 200: ProductResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => toProductResponse(await findProduct(ctx, ownCompanyId(request), request.params.producto_id)),
  );

  app.put(
    '/api/v1/admin/products/:producto_id',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Update an own product; fields left out are unchanged (router and profile are fixed)',
        security: SECURITY.admin,
        params: ProductParams,
        body: UpdateProductRequest,
        response: { 200: ProductResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const product = await updateProduct(ctx, actorOf(request), ownCompanyId(request), request.params.producto_id, request.body);
      return toProductResponse(product);
    },
  );

  app.delete(
    '/api/v1/admin/products/:producto_id',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Deactivate an own product (kept for the sales history)',
        security: SECURITY.admin,
        params: ProductParams,
        response: { 200: ProductDeletedResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const id = request.params.producto_id;
      await deactivateProduct(ctx, actorOf(request), ownCompanyId(request), id);
      return { message: 'Producto desactivado', producto_id: id, activo: false as const };
    },
  );
}
