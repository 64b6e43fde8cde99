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
import { actorOf, ownCompanyId } from '../../plugins/auth';
import { adminSchema, NOT_FOUND } from '../../schemas/admin/common';
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
      schema: adminSchema(TAGS, {
        summary: 'Create a product; the profile must exist on the router (checked live through the worker)',
        body: CreateProductRequest,
        response: { 201: ProductResponse, ...NOT_FOUND, 400: ErrorResponse, 502: ErrorResponse, 503: ErrorResponse },
      }),
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
      schema: adminSchema(TAGS, {
        summary: 'List own products, optionally of one router (?router_id=) or by state (?activo=); total in X-Total-Count',
        querystring: ProductListQuery,
        response: { 200: ProductResponse.array(), ...NOT_FOUND },
      }),
    },
    async (request, reply) => pageBody(reply, await listProducts(ctx, ownCompanyId(request), request.query), toProductResponse),
  );

  app.put(
    '/api/v1/admin/products/reorder',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Set the display order of own products: the list given, first to last',
        body: ReorderProductsRequest,
        response: { 200: ReorderProductsResponse, ...NOT_FOUND },
      }),
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
      schema: adminSchema(TAGS, {
        summary: 'Get an own product',
        params: ProductParams,
        response: { 200: ProductResponse, ...NOT_FOUND },
      }),
    },
    async (request) => toProductResponse(await findProduct(ctx, ownCompanyId(request), request.params.producto_id)),
  );

  app.put(
    '/api/v1/admin/products/:producto_id',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Update an own product; fields left out are unchanged (router and profile are fixed)',
        params: ProductParams,
        body: UpdateProductRequest,
        response: { 200: ProductResponse, ...NOT_FOUND },
      }),
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
      schema: adminSchema(TAGS, {
        summary: 'Deactivate an own product (kept for the sales history)',
        params: ProductParams,
        response: { 200: ProductDeletedResponse, ...NOT_FOUND },
      }),
    },
    async (request) => {
      const id = request.params.producto_id;
      await deactivateProduct(ctx, actorOf(request), ownCompanyId(request), id);
      return { message: 'Producto desactivado', producto_id: id, activo: false as const };
    },
  );
}
