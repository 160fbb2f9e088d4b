/** Query parameters that can carry credentials; their values never reach a log line. */
const secretQueryParameters = /([?&](?:token|api_key|apikey|key|access_token|refresh_token|password)=)[^&#]*/gi;

export const redactUrl = (url: string): string => url.replace(secretQueryParameters, '$1[REDACTED]');

/** Header and body paths pino must never print, wherever an object is logged. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.current_password',
  '*.new_password',
  '*.token',
  '*.access_token',
  '*.accessToken',
  '*.refreshToken',
  '*.refresh_token',
  '*.apiKey',
  '*.api_key',
  '*.key',
  '*.secret',
];

/** How requests and replies appear in log lines (the URL with its credentials redacted). */
export const logSerializers = {
  req(request: { method: string; url: string; ip?: string; headers?: Record<string, unknown> }) {
    return {
      method: request.method,
      url: redactUrl(request.url),
      remoteAddress: request.ip,
      userAgent: request.headers?.['user-agent'],
    };
  },
  res(reply: { statusCode: number }) {
    return { statusCode: reply.statusCode };
  },
};
