import { serviceInfo } from '../../service-info.ts';
import { AppError } from '../../errors/app-error.ts';
import type { GuardedHttpClient } from '../../net/guarded-http-client.ts';
import { readableFromHtml, type PageFormat } from './readable-page.ts';

export interface FetchLimits {
  /** Largest body read; a larger page is refused. */
  maxBytes: number;
  /** Headers and body together. */
  timeoutMs: number;
  /** Longest content handed back; the rest is cut with a note. */
  maxChars: number;
}

export interface FetchedPage {
  url: string;
  /** Where the last redirect landed. */
  finalUrl: string;
  status: number;
  contentType: string;
  title: string;
  description?: string;
  siteName?: string;
  content: string;
  truncated: boolean;
}

export type PageFetcher = (url: string, options: { format: PageFormat; signal?: AbortSignal }) => Promise<FetchedPage>;

const htmlTypes = new Set(['text/html', 'application/xhtml+xml']);
const isJson = (type: string) => type === 'application/json' || type.endsWith('+json');
const isPlainText = (type: string) => type.startsWith('text/') && !htmlTypes.has(type);

const userAgent = serviceInfo.webUserAgent;

/** A timeout or a caller's stop becomes a clear tool error; the guarded client's own errors pass. */
export function outboundFailure(error: unknown, url: string, timeoutMs: number, signal?: AbortSignal): unknown {
  if (signal?.aborted) return error;
  if (error instanceof AppError) return error;
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new AppError('TOOL_UPSTREAM_ERROR', `${url} did not answer within ${timeoutMs} ms`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('TOOL_UPSTREAM_ERROR', `could not fetch ${url}: ${message}`, { cause: error });
}

function parseTarget(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('VALIDATION_ERROR', `"${url.slice(0, 200)}" is not a URL; give an absolute http:// or https:// URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AppError('VALIDATION_ERROR', `only http:// and https:// URLs can be fetched, not ${parsed.protocol}`);
  }
  return parsed;
}

/**
 * Fetches one page through the guarded client (SSRF rules on every hop, size and time caps) and
 * turns it into readable text: HTML through Readability, plain text and JSON as they are.
 */
export function createPageFetcher(http: Pick<GuardedHttpClient, 'fetchWith'>, limits: FetchLimits): PageFetcher {
  const guardedFetch = http.fetchWith({ maxResponseBytes: limits.maxBytes, headersTimeoutMs: limits.timeoutMs });
  return async (url, { format, signal }) => {
    const target = parseTarget(url);
    const timeout = AbortSignal.timeout(limits.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await guardedFetch(target, {
        signal: combined,
        headers: { 'user-agent': userAgent, accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,application/json;q=0.9,*/*;q=0.1' },
      });
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      const finalUrl = response.url || target.href;
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new AppError('TOOL_UPSTREAM_ERROR', `${target.href} answered HTTP ${response.status}`);
      }
      if (!htmlTypes.has(contentType) && !isJson(contentType) && !isPlainText(contentType)) {
        await response.body?.cancel().catch(() => undefined);
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          `${target.href} is ${contentType || 'of no stated type'}; only HTML, plain text and JSON pages can be read`,
        );
      }
      const body = await response.text();
      const page = htmlTypes.has(contentType)
        ? await readableFromHtml(body, finalUrl, format)
        : { title: '', content: isJson(contentType) ? prettyJson(body) : body };
      const truncated = page.content.length > limits.maxChars;
      const content = truncated ? `${page.content.slice(0, limits.maxChars)}\n…[truncated at ${limits.maxChars} characters]` : page.content;
      return { ...page, url: target.href, finalUrl, status: response.status, contentType, content, truncated };
    } catch (error) {
      throw outboundFailure(error, target.href, limits.timeoutMs, signal);
    }
  };
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
