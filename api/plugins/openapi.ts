import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema, HTTPMethods } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { ErrorMessage, ValidationErrorResponse } from '../schemas/common';

declare module 'fastify' {
  interface FastifySchema {
    /**
     * A `multipart/form-data` body, for the document only: the handler reads the parts itself (streamed, with size
     * limits), so nothing validates it before the handler runs.
     */
    multipartBody?: z.ZodObject;
  }
}

/** Methods whose body Fastify parses: each may meet a body it cannot parse, one too large or of an unknown type. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** How the document describes the 503 of a database or Temporal that did not answer in time (api/plugins/errors.ts). */
export const UNAVAILABLE_DESCRIPTION = 'Service unavailable: the database or Temporal did not answer in time (Retry-After says when to try again)';

/**
 * The answers a route may give besides its own, documented once here because they come from the framework, the
 * guards, the validation and the error handler rather than from the route: a body that cannot be parsed (400), is too
 * large (413) or of an unsupported type (415); a path that cannot be decoded (400) or whose parameter is too long
 * (414); credentials missing (403) or not valid (401); input the schema refuses (422); the database or Temporal not
 * answering (503, on every route that takes credentials or input: each of them reads or writes state; the health
 * routes report it instead). A route's own answer for a status wins.
 */
function commonResponses(schema: FastifySchema, methods: readonly string[]): Record<number, z.ZodType> {
  const hasBody = methods.some((method) => BODY_METHODS.has(method.toUpperCase()));
  const hasInput = hasBody || Boolean(schema.params || schema.querystring || schema.headers);
  const responses: Record<number, z.ZodType> = {};
  if (hasBody || schema.params) {
    responses[400] = ErrorMessage.describe('Malformed request: a body that cannot be parsed (JSON, multipart) or a URL that cannot be decoded');
  }
  if (schema.security?.length) {
    responses[401] = ErrorMessage.describe('Credentials not valid: unknown, expired or revoked key or session');
    responses[403] = ErrorMessage.describe('Credentials missing, or their role may not use this route');
  }
  if (hasBody) {
    responses[413] = ErrorMessage.describe('Body too large');
    responses[415] = ErrorMessage.describe('Content-Type not supported');
  }
  if (schema.params) responses[414] = ErrorMessage.describe('A path parameter is too long');
  if (schema.params || schema.querystring || schema.body || schema.headers) responses[422] = ValidationErrorResponse;
  if (hasInput || schema.security?.length) responses[503] = ErrorMessage.describe(UNAVAILABLE_DESCRIPTION);
  return responses;
}

/** The route's schema as the document shows it: its own responses plus the common ones, a multipart body as a body. */
function documented(schema: FastifySchema, methods: readonly string[]): FastifySchema {
  const { multipartBody, ...rest } = schema;
  const response = { ...commonResponses(schema, methods), ...(schema.response as Record<number, z.ZodType> | undefined) };
  return { ...rest, response, ...(multipartBody ? { body: multipartBody, consumes: ['multipart/form-data'] } : {}) };
}

/** OpenAPI 3 generated from the routes' zod schemas, served at /docs (UI) and /docs/json. */
export async function registerOpenApi(app: FastifyInstance, title: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title,
        version: '3.0.0',
        description:
          'Pagos Hotspot: captive-portal API (router API key), purchases (Conekta, Mercado Pago), webhooks and administration. ' +
          'Every error is `{"detail": …}`.',
      },
      components: {
        securitySchemes: {
          RouterApiKey: { type: 'http', scheme: 'bearer', description: 'Router API key: `Authorization: Bearer jwt_…`' },
          RouterApiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Router API key: `X-API-Key: jwt_…`' },
          AdminSession: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Session token from POST /api/v1/auth/login' },
        },
      },
    },
    transform: (document) => {
      const { schema, route } = document;
      if (!schema || schema.hide) return jsonSchemaTransform(document);
      const methods = ([] as HTTPMethods[]).concat(route.method);
      return jsonSchemaTransform({ ...document, schema: documented(schema, methods) });
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  // Where the previous service served its document and its ReDoc page; the page is the UI at /docs here.
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/redoc', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/docs', 302));
}
