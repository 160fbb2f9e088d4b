// The token-counting worker (see token-counter.ts): loads gpt-tokenizer once and answers each
// counting request in turn, off the main thread.
import { parentPort } from 'node:worker_threads';
import { countTokens } from 'gpt-tokenizer';
import { countRequest } from './token-chunks.mjs';

parentPort.on('message', ({ id, request }) => {
  try {
    parentPort.postMessage({ id, tokens: countRequest(countTokens, request) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.message ?? error) });
  }
});
