export const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** The parts of a request that a redirect may change. */
export interface HopRequest {
  method: string;
  headers: HeadersInit | undefined;
  body: BodyInit | null | undefined;
}

/** Headers describing the body, dropped with it when a redirect turns the request into a GET. */
const bodyHeaders = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

/**
 * Headers that carry credentials. The fetch spec drops only Authorization on a cross-origin
 * redirect because browsers have CORS to protect the rest; a server has none, and provider keys
 * travel in custom headers (x-api-key, api-key, x-goog-api-key), so anything that looks like a
 * credential goes.
 */
const credentialHeaders = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key']);
const credentialLikeName = /key|token|secret|auth|cookie|session|password/;

/**
 * The request to send to the next hop of a redirect, following the fetch spec's rules for method
 * and body (303 always, and 301/302 after a POST, become a body-less GET) and dropping credentials
 * when the hop leaves the origin. Returns a string naming the problem when the redirect cannot be
 * followed.
 */
export function nextHopRequest(
  status: number,
  request: HopRequest,
  from: URL,
  to: URL,
): HopRequest | string {
  let { method, headers, body } = request;
  const becomesGet = (status === 303 && method !== 'GET' && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');
  let editable: Headers | undefined;
  const editHeaders = () => (editable ??= new Headers(headers));
  if (becomesGet) {
    method = 'GET';
    body = null;
    for (const name of bodyHeaders) editHeaders().delete(name);
  } else if (body != null && !isReplayableBody(body)) {
    return 'cannot follow a redirect that must re-send a streamed request body';
  }
  if (from.origin !== to.origin && headers !== undefined) {
    const names = [...editHeaders().keys()];
    for (const name of names) {
      if (credentialHeaders.has(name) || credentialLikeName.test(name)) editHeaders().delete(name);
    }
  }
  return { method, headers: editable ?? headers, body };
}

/** Bodies fetch can send again as they were (a stream has been consumed by the first hop). */
function isReplayableBody(body: BodyInit): boolean {
  return (
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof URLSearchParams ||
    body instanceof Blob ||
    body instanceof FormData
  );
}
