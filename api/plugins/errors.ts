import type { FastifyError, FastifyInstance, FastifyReply, FastifyServerOptions } from 'fastify';
import type { z } from 'zod';
import { classifyDatabaseError } from '../../db/errors';
import { isDomainError } from '../../domain/errors';
import { MESSAGES } from '../../domain/messages';
import { HttpError, isErrorCode, statusOf, type ErrorDetails } from '../errors';
import { RequestValidationError } from './validation';

/** One validation problem in FastAPI's shape, which portals parse: `{"loc": ["body", "email_cliente"], "msg", "type"}`. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** FastAPI-style type and message for a zod issue, so existing portals that parse 422 bodies keep working. */
function describe(issue: z.core.$ZodIssue): { type: string; msg: string } {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? { type: 'missing', msg: 'Field required' }
        : { type: `${issue.expected}_type`, msg: `Input should be a valid ${issue.expected}` };
    case 'invalid_format':
      return { type: 'value_error', msg: issue.format === 'email' ? 'value is not a valid email address' : issue.message };
    case 'invalid_value':
      return { type: 'literal_error', msg: `Input should be ${issue.values.map((v) => `'${String(v)}'`).join(' or ')}` };
    case 'too_small':
      return { type: issue.origin === 'string' ? 'string_too_short' : 'greater_than_equal', msg: issue.message };
    case 'too_big':
      return { type: issue.origin === 'string' ? 'string_too_long' : 'less_than_equal', msg: issue.message };
    case 'unrecognized_keys':
      return { type: 'extra_forbidden', msg: issue.message };
    case 'custom':
      // withAliases marks a required field absent under both of its names; lenient schemas name their validation type.
      if (issue.params?.missing) return { type: 'missing', msg: 'Field required' };
      return { type: typeof issue.params?.type === 'string' ? issue.params.type : 'value_error', msg: issue.message };
    default:
      return { type: 'value_error', msg: issue.message };
  }
}

/** Messages of Fastify's own client errors by code; any other is "Solicitud inválida" (never Fastify's text). */
const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Tipo de contenido no soportado',
  FST_ERR_CTP_BODY_TOO_LARGE: 'Cuerpo de la solicitud demasiado grande',
  FST_ERR_MAX_PARAM_LENGTH: 'Parámetro de ruta demasiado largo',
  FST_ERR_BAD_URL: 'URL inválida',
};

/** A client error Fastify raised (malformed JSON, body too large, unknown media type, bad URL…), in the API's shape. */
function sendClientError(error: FastifyError, reply: FastifyReply): FastifyReply {
  return reply.status(error.statusCode ?? 400).send({ detail: FRAMEWORK_MESSAGES[error.code] ?? 'Solicitud inválida' });
}

/**
 * Errors Fastify's router raises before any route runs (a path parameter over the length limit, a URL that cannot be
 * decoded): they never reach the error handler, and would otherwise leave in Fastify's own shape.
 */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (error, request, routeReply) => {
  const reply = routeReply as FastifyReply;
  if (typeof error.statusCode === 'number' && error.statusCode < 500) return void sendClientError(error, reply);
  request.log.error({ err: error }, 'unhandled error');
  void reply.status(500).send({ detail: 'Error interno' });
};

/** What a 503 tells the client to wait before trying again. */
const RETRY_AFTER_SECONDS = '5';

/**
 * Errors leave the API in one shape, `{"detail": …}`: validation → 422 listing every field; known codes → their status
 * with a safe message; anything else → 500 "Error interno" (logged with the request id, never echoed).
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof RequestValidationError) {
      const context = error.validationContext ?? 'body';
      const detail: ValidationIssue[] = error.issues.map((issue) => {
        const { msg, type } = describe(issue);
        return { loc: [context, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))], msg, type };
      });
      return reply.status(422).send({ detail });
    }
    if (error instanceof HttpError) return reply.status(error.status).send({ detail: error.detail });
    // A code this table does not know (cast from someone else's text) is not trusted: it falls through to the 500.
    if (isDomainError(error) && isErrorCode(error.code)) {
      const status = statusOf(error);
      const details = (error.details ?? {}) as ErrorDetails;
      if (status >= 500) request.log.warn({ err: error, code: error.code }, 'request failed');
      if (status === 503) reply.header('retry-after', RETRY_AFTER_SECONDS);
      if (error.code === 'RATE_LIMITED' && details.retryAfterSeconds !== undefined) reply.header('retry-after', String(details.retryAfterSeconds));
      if (error.code === 'VALIDATION_FAILED' && details.field !== undefined) {
        const issue: ValidationIssue = { loc: ['body', details.field], msg: error.message, type: details.type ?? 'value_error' };
        return reply.status(status).send({ detail: [issue] });
      }
      return reply.status(status).send({ detail: error.message });
    }
    if (classifyDatabaseError(error) === 'unavailable') {
      // A stalled or unreachable database: nothing this request meant to do was done; the client may retry.
      request.log.warn({ err: error }, 'database unavailable');
      return reply.status(503).header('retry-after', RETRY_AFTER_SECONDS).send({ detail: MESSAGES.serviceUnavailable });
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) return sendClientError(error, reply);
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({ detail: 'Error interno' });
  });

  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ detail: 'Not Found' }));
}
