import { Agent } from 'undici';
import { AppError } from '../errors/app-error.ts';
import { createGuardedConnector, systemLookup, type HostLookup } from './guarded-connector.ts';
import { createGuardedFetch } from './guarded-fetch.ts';
import { createGuardedRequest, type GuardedRequest } from './guarded-request.ts';
import { createHostAllowList, type HostAllowList } from './host-allow-list.ts';

export interface GuardedHttpSettings {
  /** Host names, IP literals or CIDR ranges that may be reached although private. */
  allowHosts: readonly string[];
  /** DNS plus TCP/TLS connect. undici keeps this timer coarse: expect up to about a second more. */
  connectTimeoutMs: number;
  /**
   * From sending the request to the end of the response headers. A body that then stalls is cut
   * after undici's 300 s between-chunk timeout; callers that need less pass an AbortSignal.
   */
  headersTimeoutMs: number;
  /** Counted after decompression. */
  maxResponseBytes: number;
  /** At most 5. */
  maxRedirects: number;
  /** Injectable DNS for tests; by default node's resolver, every address of the name. */
  lookup?: HostLookup;
}

export interface OutboundRequestOptions {
  /** Allowed for this call only, e.g. the host of an operator-configured provider base URL. */
  extraAllowedHosts?: readonly string[];
  maxResponseBytes?: number;
  headersTimeoutMs?: number;
  maxRedirects?: number;
}

export interface GuardedHttpClient {
  /** fetch-compatible (same signature as globalThis.fetch), with the default options. */
  fetch: typeof globalThis.fetch;
  /** A fetch bound to per-call options, to hand to the AI SDK's `fetch` setting. */
  fetchWith(options: OutboundRequestOptions): typeof globalThis.fetch;
  /** undici's lean `request` under the same rules, for relaying bytes; never follows redirects. */
  requestWith(options: Omit<OutboundRequestOptions, 'maxRedirects'>): GuardedRequest;
  close(): Promise<void>;
}

/** Beyond this, redirect chains are abuse or loops, whatever the settings say. */
const redirectLimit = 5;

/**
 * Distinct per-call allow-lists kept pooled at once. Each needs its own agent (see below); past
 * this, the least recently used is dropped from the cache.
 */
const agentCacheSize = 64;

/** An allow-list and the agent whose sockets were all checked against it. */
interface GuardedAgent {
  allowList: HostAllowList;
  agent: Agent;
}

/**
 * The one way the server reaches the network. Sockets are pooled per origin by one undici Agent
 * whose connector checks each socket's address after DNS. A per-call allow-list gets an agent of
 * its own: a socket is checked once, when opened, so a socket opened under a wider allow-list
 * must never be reused by a request that is not allowed as much. Those agents are cached by the
 * extra hosts as given, so calling `fetchWith` for every request (as providers do) costs a map
 * lookup, not a new pool.
 */
export function createGuardedHttpClient(settings: GuardedHttpSettings): GuardedHttpClient {
  assertRedirectLimit(settings.maxRedirects);
  const lookup = settings.lookup ?? systemLookup;
  const createAgent = (allowList: HostAllowList): GuardedAgent => ({
    allowList,
    agent: new Agent({
      connect: createGuardedConnector({ allowList, lookup, connectTimeoutMs: settings.connectTimeoutMs }),
      headersTimeout: settings.headersTimeoutMs,
    }),
  });
  const base = createAgent(createHostAllowList(settings.allowHosts));
  const baseKey = base.allowList.entries.join('\n');
  const widenedAgents = new Map<string, GuardedAgent>();

  function widenedAgentFor(extraAllowedHosts: readonly string[]): GuardedAgent {
    const key = extraAllowedHosts.join('\n');
    let guarded = widenedAgents.get(key);
    if (guarded) {
      // Re-inserting keeps the map in least-recently-used order.
      widenedAgents.delete(key);
    } else {
      const allowList = createHostAllowList([...settings.allowHosts, ...extraAllowedHosts]);
      // Extra hosts the operator's list already holds change nothing: share its pool.
      guarded = allowList.entries.join('\n') === baseKey ? base : createAgent(allowList);
      const oldest = widenedAgents.size >= agentCacheSize ? widenedAgents.keys().next() : undefined;
      // Dropped, not closed: fetches bound to it may still be in use, and keep working. Its idle
      // sockets close themselves after undici's keep-alive timeout.
      if (oldest && !oldest.done) widenedAgents.delete(oldest.value);
    }
    widenedAgents.set(key, guarded);
    return guarded;
  }

  function dispatcherFor(options: OutboundRequestOptions) {
    const extraAllowedHosts = options.extraAllowedHosts ?? [];
    const { allowList, agent } = extraAllowedHosts.length > 0 ? widenedAgentFor(extraAllowedHosts) : base;
    const headersTimeout = options.headersTimeoutMs;
    const dispatcher =
      headersTimeout === undefined || headersTimeout === settings.headersTimeoutMs
        ? agent
        : agent.compose((dispatch) => (dispatchOptions, handler) => dispatch({ ...dispatchOptions, headersTimeout }, handler));
    return { allowList, dispatcher };
  }

  function requestWith(options: Omit<OutboundRequestOptions, 'maxRedirects'>): GuardedRequest {
    const { allowList, dispatcher } = dispatcherFor(options);
    return createGuardedRequest({ allowList, dispatcher, maxResponseBytes: options.maxResponseBytes ?? settings.maxResponseBytes });
  }

  function fetchWith(options: OutboundRequestOptions): typeof globalThis.fetch {
    const maxRedirects = options.maxRedirects ?? settings.maxRedirects;
    assertRedirectLimit(maxRedirects);
    const { allowList, dispatcher } = dispatcherFor(options);
    return createGuardedFetch({
      allowList,
      dispatcher,
      maxResponseBytes: options.maxResponseBytes ?? settings.maxResponseBytes,
      maxRedirects,
    });
  }

  return {
    fetch: fetchWith({}),
    fetchWith,
    requestWith,
    async close() {
      const agents = new Set([base.agent, ...[...widenedAgents.values()].map((guarded) => guarded.agent)]);
      widenedAgents.clear();
      await Promise.all([...agents].map((agent) => agent.close()));
    },
  };
}

function assertRedirectLimit(maxRedirects: number): void {
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0 || maxRedirects > redirectLimit) {
    throw new AppError('VALIDATION_ERROR', `maxRedirects must be a whole number from 0 to ${redirectLimit}`);
  }
}

export { isOutboundTimeout } from './outbound-errors.ts';
export type { HostLookup, ResolvedAddress } from './guarded-connector.ts';
export type { GuardedRequest, GuardedResponse } from './guarded-request.ts';
