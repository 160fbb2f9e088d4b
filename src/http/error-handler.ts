import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from '../errors/app-error.ts';
import { codeForStatus } from '../errors/error-codes.ts';
import { renderError, type ErrorFormat } from './error-format.ts';
import { discardRestOfBody } from './oversized-body.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Error body shape for this route; by default derived from the path. */
    errorFormat?: ErrorFormat;
  }
}

/** Paths outside the envelope: OpenAI-style surfaces and StellarByte's bare-JSON sessions and API keys. */
export function errorFormatFor(request: FastifyRequest): ErrorFormat {
  const configured = request.routeOptions.config?.errorFormat;
  if (configured) return configured;
  const path = request.url.split('?', 1)[0]!;
  if (path.startsWith('/v1/')) return 'openai';
  if (path === '/api/sessions' || path.startsWith('/api/sessions/')) return 'bare';
  if (path === '/api/api-keys' || path.startsWith('/api/api-keys/')) return 'bare';
  return 'envelope';
}

const frameworkMessages: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported Content-Type; send application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request body is empty; send a JSON object',
  FST_ERR_CTP_INVALID_JSON_BODY: 'request body is not valid JSON',
};

/** Turns anything thrown by a route, the framework or validation into one AppError. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? 'body';
    const fields = error.validation.map((issue) => {
      const field = [where, ...issue.instancePath.split('/').filter(Boolean)].join('.');
      return { field, message: issue.message };
    });
    const summary = fields.map((entry) => `${entry.field}: ${entry.message}`).join('; ');
    return new AppError('VALIDATION_ERROR', `invalid request: ${summary}`, { details: fields });
  }
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = codeForStatus(status);
    const message =
      (fastifyError.code && frameworkMessages[fastifyError.code]) ??
      (error instanceof SyntaxError ? 'request body is not valid JSON' : (fastifyError.message ?? 'bad request'));
    return new AppError(code, message, { cause: error });
  }
  return new AppError('INTERNAL_ERROR', 'internal error; the request id identifies it in the server log', {
    cause: error,
  });
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: AppError,
  format: ErrorFormat = errorFormatFor(request),
): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply
    .status(error.status)
    .type('application/json; charset=utf-8')
    .send(renderError(error, format, request.id));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error, request, reply) => {
    const appError =
      (error as Partial<FastifyError>).code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? new AppError(
            'PAYLOAD_TOO_LARGE',
            `the request body is larger than ${request.routeOptions.bodyLimit ?? 'the limit of'} bytes, the most this route accepts (server.bodyLimit, COLLOQUY_BODY_LIMIT)`,
            { cause: error },
          )
        : toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: appError.code, status: appError.status }, appError.message);
    // A refused body still arriving is read to its end first, so the client reads this answer.
    if (appError.status === 413 && !(await discardRestOfBody(request.raw))) reply.header('connection', 'close');
    return sendError(request, reply, appError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new AppError('NOT_FOUND', `no route for ${request.method} ${request.url.split('?', 1)[0]}`)),
  );
}
