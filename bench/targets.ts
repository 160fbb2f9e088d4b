import { randomBytes } from 'node:crypto';
import type { Pool } from 'undici';
import type { ServerProcess } from './child-processes.ts';
import type { ColloquyAccount } from './bench-servers.ts';
import type { RequestShape } from './load.ts';
import { clientPool } from './load.ts';

/** The ways a request can reach the fake upstream; each is a column of the results. */
export type TargetName = 'direct' | 'floor' | 'colloquy-proxy' | 'colloquy-persist' | 'colloquy-native' | 'portkey';

export interface Target {
  name: TargetName;
  /** The server whose CPU and memory this target costs (the upstream itself for direct). */
  server: ServerProcess;
  /** A request for the fake upstream's `model` script; index picks a session/conversation where one applies. */
  request(model: string, stream: boolean, index: number): RequestShape;
  /** What the last frame of a stream carries. */
  endMarker: string;
  /** A fresh client pool with this many connections. */
  pool(connections: number): Pool;
}

const messages = [{ role: 'user', content: 'Say hello to the benchmark.' }];

function openAiTarget(name: TargetName, server: ServerProcess, headers: Record<string, string>, modelPrefix = ''): Target {
  return {
    name,
    server,
    endMarker: '[DONE]',
    pool: (connections) => clientPool(server.origin, connections),
    request: (model, stream) => ({
      path: '/v1/chat/completions',
      headers,
      body: { model: `${modelPrefix}${model}`, messages, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) },
    }),
  };
}

export const directTarget = (upstream: ServerProcess) => openAiTarget('direct', upstream, { authorization: 'Bearer sk-bench-upstream' });
export const floorTarget = (floor: ServerProcess) => openAiTarget('floor', floor, { authorization: 'Bearer sk-bench-upstream' });

export function portkeyTarget(portkey: ServerProcess, upstream: ServerProcess): Target {
  return openAiTarget('portkey', portkey, {
    authorization: 'Bearer sk-bench-upstream',
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${upstream.origin}/v1`,
  });
}

/** Colloquy's OpenAI surface with an API key, as an SDK user would call it; nothing stored but usage. */
export const colloquyProxyTarget = (colloquy: ServerProcess, account: ColloquyAccount) =>
  openAiTarget('colloquy-proxy', colloquy, { authorization: `Bearer ${account.apiKey}` }, 'env-openai/');

/**
 * The same with `session_id`: every exchange is stored. Requests rotate over sessions so each
 * holds a chat-sized history (about `turnsPerSession` exchanges) rather than one growing forever,
 * and consecutive requests never share a session.
 */
export function colloquyPersistTarget(colloquy: ServerProcess, account: ColloquyAccount, sessions = 200): Target {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  let generation = 0;
  let served = 0;
  const base = openAiTarget('colloquy-persist', colloquy, { authorization: `Bearer ${account.apiKey}` }, 'env-openai/');
  return {
    ...base,
    name: 'colloquy-persist',
    request: (model, stream, index) => {
      served += 1;
      // A new set of sessions every sessions×10 requests keeps histories near ten exchanges.
      if (served % (sessions * 10) === 0) generation += 1;
      const shape = base.request(model, stream, index);
      return { ...shape, body: { ...(shape.body as object), session_id: `${prefix}-${generation}-${index % sessions}` } };
    },
  };
}

/** Luxx's native streamed turn over conversations made beforehand (round robin). */
export function colloquyNativeTarget(colloquy: ServerProcess, account: ColloquyAccount, conversationIds: string[]): Target {
  return {
    name: 'colloquy-native',
    server: colloquy,
    endMarker: 'event: done',
    pool: (connections) => clientPool(colloquy.origin, connections),
    request: (model, _stream, index) => ({
      path: '/api/messages/stream',
      headers: { authorization: `Bearer ${account.accessToken}` },
      body: {
        conversation_id: conversationIds[index % conversationIds.length],
        content: 'Say hello to the benchmark.',
        provider_id: 'env-openai',
        model,
      },
    }),
  };
}
