import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.ts';
import type { Principal, RequestContext } from '../auth/principal.ts';
import { AppError } from '../errors/app-error.ts';

export type AuthMode = 'required' | 'optional' | 'none' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; `required` when not set, so a forgotten setting fails closed. */
    auth?: AuthMode;
    /** Also accept `?token=` / `?api_key=` (browsers cannot set headers on WebSockets). */
    queryCredentials?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The credential a request carries: `Authorization: Bearer`, `x-api-key`, or an allowed query one. */
export function credentialOf(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const apiKeyHeader = request.headers['x-api-key'];
  if (typeof apiKeyHeader === 'string' && apiKeyHeader.length > 0) return apiKeyHeader.trim();
  if (request.routeOptions.config?.queryCredentials) {
    const query = request.query as Record<string, unknown> | undefined;
    for (const name of ['token', 'api_key']) {
      const value = query?.[name];
      if (typeof value === 'string' && value.length > 0) return value;
    }
  }
  return undefined;
}

export function registerAuthHook(app: FastifyInstance, authenticator: Authenticator): void {
  app.decorateRequest('principal', undefined);
  // onRequest: refuse anonymous callers before their body is read or parsed.
  app.addHook('onRequest', async (request) => {
    const mode = request.routeOptions.config?.auth ?? 'required';
    if (mode === 'none') return;
    const credential = credentialOf(request);
    if (!credential) {
      if (mode === 'optional') return;
      throw new AppError('UNAUTHORIZED', 'authentication required: send Authorization: Bearer <token or API key>');
    }
    request.principal = await authenticator.authenticate(credential);
    if (mode === 'admin' && !request.principal.isAdmin) {
      throw new AppError('FORBIDDEN', 'admin role required');
    }
  });
}

/** The authenticated principal; only call on routes whose auth mode guarantees one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHORIZED', 'authentication required');
  return request.principal;
}

export function contextOf(request: FastifyRequest): RequestContext {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip,
    requestId: request.id,
    userAgent: typeof userAgent === 'string' ? userAgent : undefined,
    principal: request.principal,
  };
}
