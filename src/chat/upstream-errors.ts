import { APICallError } from '@ai-sdk/provider';
import { AppError } from '../errors/app-error.ts';

/** What the turn runner needs to know about a failed upstream call. */
export interface UpstreamFailure {
  code: 'PROVIDER_ERROR' | 'PROVIDER_TIMEOUT' | 'RATE_LIMITED' | 'OUTBOUND_BLOCKED' | 'INTERNAL_ERROR';
  message: string;
  retryable: boolean;
  /** How long the upstream asked us to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  statusCode?: number;
}

/** Raised by the model call when the upstream sends nothing for the idle timeout. */
export class UpstreamIdleError extends Error {
  override name = 'UpstreamIdleError';
}

/** `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfterMilliseconds(headers: Record<string, string> | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const milliseconds = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Provider error bodies can echo request details; keep a short, single-line excerpt. */
function excerpt(body: string | undefined): string {
  if (!body) return '';
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Translates whatever an AI SDK adapter or our HTTP client threw into one shape. */
export function classifyUpstreamError(error: unknown, providerName: string): UpstreamFailure {
  if (error instanceof UpstreamIdleError) {
    return { code: 'PROVIDER_TIMEOUT', message: `${providerName} stopped sending: ${error.message}`, retryable: true };
  }
  if (error instanceof AppError) {
    return { code: error.code === 'OUTBOUND_BLOCKED' ? 'OUTBOUND_BLOCKED' : 'PROVIDER_ERROR', message: error.message, retryable: false };
  }
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const detail = excerpt(error.responseBody) || error.message;
    if (status === undefined) {
      return { code: 'PROVIDER_ERROR', message: `${providerName} could not be reached: ${error.message}`, retryable: error.isRetryable };
    }
    return {
      code: status === 429 ? 'RATE_LIMITED' : 'PROVIDER_ERROR',
      message: `${providerName} answered HTTP ${status}: ${detail}`,
      retryable: error.isRetryable || status === 429 || status >= 500,
      retryAfterMs: retryAfterMilliseconds(error.responseHeaders),
      statusCode: status,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : '';
  // Stream parse failures (malformed SSE or JSON) are not worth repeating.
  const malformed = /JSON|parse|Type validation|invalid/i.test(`${name} ${message}`);
  return {
    code: 'PROVIDER_ERROR',
    message: malformed ? `${providerName} sent a malformed response: ${message}` : `${providerName} failed: ${message}`,
    retryable: !malformed && error instanceof TypeError,
  };
}
