import { AppError } from '../errors/app-error.ts';

/** What a connection refusal records, so the refusal can be re-worded with the full URL. */
export interface RefusedConnection {
  readonly address: string;
  readonly reason: string;
}

/**
 * A URL as safe to put in an error or log: scheme, host and path only. The query string and
 * user info are dropped because they often carry keys (`?key=…`, `https://user:token@…`).
 */
export function displayUrl(url: URL): string {
  if (url.search === '' && url.hash === '' && url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  copy.search = '';
  copy.hash = '';
  return copy.href;
}

export function outboundBlocked(message: string, details?: RefusedConnection): AppError {
  return new AppError('OUTBOUND_BLOCKED', message, { details });
}

export function refusedConnectionError(connection: RefusedConnection, target: string): AppError {
  return outboundBlocked(
    `refused to connect to ${connection.address} (${connection.reason}) for ${target}`,
    connection,
  );
}

/** The refusal a failed fetch carries, if the connector refused the address it resolved. */
export function refusedConnectionOf(error: unknown): RefusedConnection | undefined {
  const cause = error instanceof TypeError ? error.cause : undefined;
  if (!(cause instanceof AppError) || cause.code !== 'OUTBOUND_BLOCKED') return undefined;
  return cause.details as RefusedConnection | undefined;
}

/**
 * Shaped like the error `fetch` throws for a network failure, message included: the AI SDK
 * recognises exactly `TypeError('fetch failed')` with a cause as a retryable connection error.
 */
export function networkError(message: string): TypeError {
  return new TypeError('fetch failed', { cause: new Error(message) });
}

const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/**
 * Whether an outbound request failed because a time cap ran out (connect, response headers,
 * idle body) rather than because it was refused, aborted or the peer failed. Looks through the
 * `cause` chain, where fetch puts the underlying error.
 */
export function isOutboundTimeout(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && timeoutCodes.has(code)) return true;
    current = current.cause;
  }
  return false;
}
