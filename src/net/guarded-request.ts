import type { Dispatcher } from 'undici';
import { assertAllowedTarget } from './guarded-fetch.ts';
import type { HostAllowList } from './host-allow-list.ts';
import { networkError, outboundBlocked, refusedConnectionError, refusedConnectionOf, displayUrl } from './outbound-errors.ts';

export interface GuardedRequestInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Longest silence between two body chunks before the call fails (undici's body timeout). */
  idleTimeoutMs?: number;
}

/** An upstream answer whose body is read exactly once, by `consume` or `text`. */
export interface GuardedResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  /**
   * Hands every chunk over in order. A promise returned by `onChunk` pauses the upstream until
   * it settles (the client's socket is full). Rejects past the size cap, on a stall or an abort.
   */
  consume(onChunk: (chunk: Buffer) => void | Promise<void>): Promise<void>;
  /** The whole body as UTF-8 text, within the size cap. */
  text(): Promise<string>;
  /** Drops the body unread and frees the connection. */
  discard(): void;
}

export type GuardedRequest = (url: string, init: GuardedRequestInit) => Promise<GuardedResponse>;

export interface RequestPolicy {
  allowList: HostAllowList;
  dispatcher: Dispatcher;
  maxResponseBytes: number;
}

/**
 * The lean sibling of the guarded fetch, for hot paths that relay bytes (the OpenAI pass-through):
 * undici's `request` on the same checked dispatcher, without web streams. It never follows a
 * redirect: a 3xx comes back as it is, and the caller treats it as the failure it is for an API.
 * Host names are checked at connect time by the dispatcher's connector; scheme and IP literals here.
 */
export function createGuardedRequest(policy: RequestPolicy): GuardedRequest {
  return async function guardedRequest(target, init) {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new TypeError('invalid URL');
    }
    assertAllowedTarget(url, url, policy.allowList);
    let response: Dispatcher.ResponseData;
    try {
      response = await policy.dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: init.method,
        headers: init.headers,
        body: init.body,
        signal: init.signal,
        ...(init.idleTimeoutMs !== undefined ? { bodyTimeout: init.idleTimeoutMs } : {}),
      });
    } catch (error) {
      const refusal = refusedConnectionOf(error) ?? refusalOf(error);
      if (refusal) throw refusedConnectionError(refusal, displayUrl(url));
      if ((error as Error).name === 'AbortError') throw error;
      throw networkError(`${displayUrl(url)}: ${(error as Error).message}`);
    }
    return wrapResponse(response, policy.maxResponseBytes, url);
  };
}

/** The connector's own refusal, thrown as is by `request` (fetch wraps it in a TypeError). */
function refusalOf(error: unknown) {
  const details = (error as { code?: string; details?: unknown }).code === 'OUTBOUND_BLOCKED' ? (error as { details?: unknown }).details : undefined;
  return details as { address: string; reason: string } | undefined;
}

function wrapResponse(response: Dispatcher.ResponseData, maxBytes: number, url: URL): GuardedResponse {
  const { body } = response;
  let received = 0;
  const tooLarge = () => outboundBlocked(`the response from ${displayUrl(url)} is larger than ${maxBytes} bytes`);

  const consume = (onChunk: (chunk: Buffer) => void | Promise<void>) =>
    new Promise<void>((resolve, reject) => {
      const fail = (error: unknown) => {
        body.off('data', onData);
        body.destroy();
        reject(error);
      };
      const onData = (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) return fail(tooLarge());
        let pending: void | Promise<void>;
        try {
          pending = onChunk(chunk);
        } catch (error) {
          return fail(error);
        }
        if (pending) {
          body.pause();
          pending.then(() => body.resume(), fail);
        }
      };
      body.on('data', onData);
      body.once('end', () => resolve());
      body.once('error', (error) => reject(error));
    });

  return {
    statusCode: response.statusCode,
    headers: response.headers,
    consume,
    async text() {
      const chunks: Buffer[] = [];
      await consume((chunk) => {
        chunks.push(chunk);
      });
      return Buffer.concat(chunks).toString('utf8');
    },
    discard() {
      body.destroy();
    },
  };
}
