import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** OpenAPI 3 generated from the routes' zod schemas, served at /docs (UI) and /docs/json. */
export async function registerOpenApi(app: FastifyInstance, title: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title,
        version: '3.0.0',
        description:
          'Pagos Hotspot: captive-portal API (router API key), purchases (Conekta, Mercado Pago), webhooks and administration.',
      },
      components: {
        securitySchemes: {
          RouterApiKey: { type: 'http', scheme: 'bearer', description: 'Router API key: `Authorization: Bearer jwt_…`' },
          RouterApiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Router API key: `X-API-Key: jwt_…`' },
          AdminSession: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Session token from POST /api/v1/auth/login' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
}
