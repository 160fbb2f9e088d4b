import { Response as UndiciResponse } from 'undici';
import { displayUrl, outboundBlocked } from './outbound-errors.ts';

/** Statuses whose Response may not have a body (the Response constructor throws otherwise). */
const nullBodyStatuses: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

export interface ResponseLimits {
  maxBytes: number;
  /** The final URL, reported as `response.url`. */
  url: URL;
  redirected: boolean;
}

/**
 * Caps the body of an upstream response at `maxBytes`: a Content-Length above the cap is refused
 * up front, and a body without one is re-wrapped so that it errors once more than `maxBytes` have
 * been read. Bytes are counted after decompression, which is what a compression bomb inflates.
 * The wrapper passes chunks through as the caller reads them (highWaterMark 0, no read-ahead), so
 * SSE streams still arrive as they are sent.
 *
 * A plain body within its declared Content-Length is returned untouched: HTTP/1.1 framing already
 * stops it at that length, and re-wrapping costs a header copy and a stream per response. Either
 * way the result is undici's Response, so callers always get the same class (not the global one:
 * nothing in the AI SDK checks `instanceof Response`).
 */
export async function toLimitedResponse(upstream: UndiciResponse, limits: ResponseLimits): Promise<Response> {
  const { maxBytes } = limits;
  const tooLarge = () => outboundBlocked(`response from ${displayUrl(limits.url)} is larger than the ${maxBytes}-byte limit`);
  let response = upstream;
  if (upstream.body && !nullBodyStatuses.has(upstream.status)) {
    const declaredLength = upstream.headers.get('content-length');
    const length = declaredLength === null ? Number.NaN : Number(declaredLength);
    // Only with a body: a HEAD answer states the length of a body it does not send.
    if (length > maxBytes) {
      await upstream.body.cancel().catch(() => undefined);
      throw tooLarge();
    }
    const encoding = upstream.headers.get('content-encoding');
    const framedWithinCap = Number.isInteger(length) && (encoding === null || encoding === 'identity');
    if (!framedWithinCap) {
      response = new UndiciResponse(limitStream(upstream.body, maxBytes, tooLarge), {
        status: upstream.status,
        statusText: upstream.statusText,
        headers: upstream.headers,
      });
      // The Response constructor cannot set the URL; callers resolving relative links need it.
      Object.defineProperty(response, 'url', { value: limits.url.href });
    }
  }
  if (limits.redirected) Object.defineProperty(response, 'redirected', { value: true });
  // undici's Response has the standard shape; its declared types come from node:stream/web.
  return response as unknown as Response;
}

function limitStream(
  source: NonNullable<UndiciResponse['body']>,
  maxBytes: number,
  tooLarge: () => Error,
): ReadableStream<Uint8Array> {
  const reader = source.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  let received = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        received += value.byteLength;
        if (received > maxBytes) {
          const error = tooLarge();
          controller.error(error);
          await reader.cancel(error).catch(() => undefined);
          return;
        }
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
