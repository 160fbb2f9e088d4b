import { Worker } from 'node:worker_threads';
import { countingRequest } from './token-chunks.mjs';

/**
 * Counts tokens with gpt-tokenizer (o200k, tiktoken's counts) where a provider reports none.
 * The counting runs in one worker thread (`token-count-worker.mjs`), started on first use: the
 * encoder takes about half a second to load and long texts take a while, and neither may stall
 * the event loop that answers every other request.
 */
export interface TokenCounter {
  /** Tokens of a text, given whole or as its pieces in order (a streamed answer's deltas). */
  count(text: string | readonly string[]): Promise<number>;
  close(): Promise<void>;
}

/**
 * The estimate used when the worker cannot count (it failed to start or died): a byte-level BPE
 * never makes more tokens than bytes, and real text makes far fewer (English about 0.22 per byte,
 * CJK about 0.38, punctuation soup up to 0.9), so half a token per byte overestimates nearly all
 * text, which is the safe side for context-window decisions.
 */
export const estimatedTokensPerByte = 0.5;

export function estimateTokens(text: string | readonly string[]): number {
  let bytes = 0;
  for (const part of typeof text === 'string' ? [text] : text) bytes += Buffer.byteLength(part);
  return Math.ceil(bytes * estimatedTokensPerByte);
}

const lengthOf = (text: string | readonly string[]) =>
  typeof text === 'string' ? text.length : text.reduce((sum, part) => sum + part.length, 0);

interface Pending {
  resolve: (tokens: number) => void;
  text: string | readonly string[];
}

export function createTokenCounter(): TokenCounter {
  let worker: Worker | undefined;
  let nextId = 0;
  let closed = false;
  const pending = new Map<number, Pending>();

  // Whatever was waiting when the worker failed is estimated; the next count starts a new worker.
  const abandon = (current: Worker) => {
    if (worker !== current) return;
    worker = undefined;
    for (const [id, request] of pending) {
      pending.delete(id);
      request.resolve(estimateTokens(request.text));
    }
  };

  const start = (): Worker => {
    const started = new Worker(new URL('./token-count-worker.mjs', import.meta.url));
    // An idle counter never keeps the process alive; a count in flight does (see `count`).
    started.unref();
    started.on('message', (message: { id?: number; tokens?: number; error?: string }) => {
      if (message.id === undefined) return;
      const request = pending.get(message.id);
      if (!request) return;
      pending.delete(message.id);
      if (pending.size === 0) started.unref();
      request.resolve(typeof message.tokens === 'number' ? message.tokens : estimateTokens(request.text));
    });
    started.on('error', () => abandon(started));
    started.on('exit', () => abandon(started));
    return started;
  };

  return {
    count(text) {
      if (lengthOf(text) === 0) return Promise.resolve(0);
      if (closed) return Promise.resolve(estimateTokens(text));
      let current = worker;
      if (!current) {
        try {
          current = worker = start();
        } catch {
          return Promise.resolve(estimateTokens(text));
        }
      }
      const id = (nextId += 1);
      current.ref();
      return new Promise((resolve) => {
        pending.set(id, { resolve, text });
        // A long text sends only its samples: copying megabytes to a worker takes long on its own.
        current.postMessage({ id, request: countingRequest(text) });
      });
    },
    async close() {
      closed = true;
      const current = worker;
      if (!current) return;
      abandon(current);
      await current.terminate();
    },
  };
}
