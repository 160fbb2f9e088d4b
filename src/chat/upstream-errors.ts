import { APICallError } from '@ai-sdk/provider';
import { AppError } from '../errors/app-error.ts';
import { redactSecretShapes, type SecretRedactor } from '../providers/secret-redaction.ts';

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

/**
 * The readable text of whatever was thrown or sent as an error. Adapters hand on an upstream's
 * error object as it came (`{message, type}`, or `{error: {message}}` from a mid-stream frame),
 * which `String()` turns into `[object Object]`.
 */
export function errorText(error: unknown, depth = 0): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  if (error === null || error === undefined) return 'unknown error';
  if (typeof error !== 'object') return String(error);
  const record = error as Record<string, unknown>;
  if (typeof record.message === 'string' && record.message !== '') {
    const kind = [record.type, record.code].find((value) => typeof value === 'string' && value !== '' && value !== record.message);
    return kind ? `${record.message} (${kind as string})` : record.message;
  }
  if (record.error !== undefined && depth < 3) return errorText(record.error, depth + 1);
  try {
    return excerpt(JSON.stringify(error)) || 'unknown error';
  } catch {
    return 'unknown error';
  }
}

/**
 * Translates whatever an AI SDK adapter or our HTTP client threw into one shape. Its message
 * is what users read and what is stored, so it passes through `redact`: the provider's own
 * redactor when the caller has one, else the shapes of credentials in general.
 */
export function classifyUpstreamError(error: unknown, providerName: string, redact: SecretRedactor = redactSecretShapes): UpstreamFailure {
  const failure = classify(error, providerName);
  return { ...failure, message: redact(failure.message) };
}

function classify(error: unknown, providerName: string): UpstreamFailure {
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
  const message = errorText(error);
  const name = error instanceof Error ? error.name : '';
  // Stream parse failures (malformed SSE or JSON) are not worth repeating.
  const malformed = /JSON|parse|Type validation|invalid/i.test(`${name} ${message}`);
  return {
    code: 'PROVIDER_ERROR',
    message: malformed ? `${providerName} sent a malformed response: ${message}` : `${providerName} failed: ${message}`,
    retryable: !malformed && error instanceof TypeError,
  };
}
