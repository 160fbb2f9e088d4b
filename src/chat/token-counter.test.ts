import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { countTokens } from 'gpt-tokenizer';
import { chunkCharacters, countingRequest, countRequest, exactCharacters } from './token-chunks.mjs';
import { createTokenCounter, estimateTokens } from './token-counter.ts';

/** The longest the event loop went without running a timer while `work` ran. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  try {
    const result = await work();
    stallMs = Math.max(stallMs, performance.now() - last);
    return { result, stallMs };
  } finally {
    clearInterval(timer);
  }
}

describe('token counter', () => {
  const counter = createTokenCounter();
  after(() => counter.close());

  it("agrees with gpt-tokenizer's own count on ordinary text", async () => {
    for (const text of ['hello world', 'Ein kurzer Satz, mit Umlauten: äöü.', 'The quick brown fox. '.repeat(500), '漢字仮名交じり文'.repeat(100)]) {
      const counted = await counter.count(text);
      // Cutting at whitespace may split a run of newlines: at most one token more per cut.
      const cuts = Math.ceil(text.length / (chunkCharacters / 2));
      const exact = countTokens(text);
      assert.ok(counted >= exact && counted <= exact + cuts, `${counted} tokens counted, ${exact} exact`);
    }
  });

  it('counts a megabyte of unbroken text without stalling the event loop', async () => {
    await counter.count('warm up the worker');
    const text = 'X'.repeat(1024 * 1024);
    const { result, stallMs } = await longestStall(() => counter.count(text));
    // o200k makes one token of 16 X's; a cut every thousand characters adds at most one each.
    assert.ok(result >= 65_536 && result <= 65_536 + 1100, `${result} tokens`);
    assert.ok(stallMs < 100, `the event loop stalled for ${stallMs.toFixed(0)} ms`);
  });

  it('estimates a text beyond the exact limit from samples, within a few percent', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil((exactCharacters * 3) / 45));
    const exact = (text.length / 45) * 10;
    const estimated = countRequest(countTokens, countingRequest(text));
    assert.ok(Math.abs(estimated - exact) / exact < 0.05, `${estimated} estimated, ${exact} exact`);
  });

  it('estimates at half a token per byte once closed', async () => {
    const closed = createTokenCounter();
    await closed.close();
    assert.equal(await closed.count('abcd'), estimateTokens('abcd'));
    assert.equal(estimateTokens('漢字'), 3);
  });
});
