import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from '../storage/repositories/messages-repository.ts';
import { buildContext } from './context-window.ts';
import { createTokenCounter } from './token-counter.ts';

const counter = createTokenCounter();
let sequence = 0;
function message(role: 'user' | 'assistant', content: string, status: Message['status'] = 'complete'): Message {
  sequence += 1;
  return {
    id: String(sequence), conversationId: 'c', userId: 'u', parentId: null, role, content, steps: [], attachments: [],
    tokenCount: 0, usage: null, status, metadata: {}, model: null, error: null, createdAt: '', updatedAt: '',
  };
}

describe('context window', () => {
  it('keeps the system prompt, the newest history that fits, and the new message', async () => {
    const history = Array.from({ length: 40 }, (_, index) => message(index % 2 ? 'assistant' : 'user', `message number ${index} `.repeat(20)));
    const built = await buildContext({ systemPrompt: 'Be brief.', history, userContent: 'Now?', contextWindow: 1200, maxOutputTokens: 200 }, counter);
    assert.equal(built.messages[0]!.role, 'system');
    assert.deepEqual(built.messages.at(-1), { role: 'user', content: [{ type: 'text', text: 'Now?' }] });
    assert.ok(built.omittedMessages > 0 && built.omittedMessages < 40);
    assert.ok(built.promptTokens <= 1000, `prompt of ${built.promptTokens} tokens exceeds the budget`);
    // What is kept is the newest, in order.
    const kept = built.messages.slice(1, -1).map((entry) => (entry.content as Array<{ text: string }>)[0]!.text);
    assert.equal(kept.at(-1), history.at(-1)!.content);
  });

  it('leaves out answers still generating and empty ones', async () => {
    const history = [message('user', 'a'), message('assistant', '', 'failed'), message('assistant', 'partial', 'generating')];
    const built = await buildContext({ systemPrompt: null, history, userContent: 'b', contextWindow: 8000 }, counter);
    assert.equal(built.messages.length, 2);
  });

  it("takes an answer's size from its reported usage instead of tokenising it again", async () => {
    const answer = { ...message('assistant', 'short text'), usage: { prompt_tokens: 10, completion_tokens: 900, reasoning_tokens: 100, total_tokens: 910 } };
    const built = await buildContext({ systemPrompt: null, history: [message('user', 'q'), answer], userContent: 'b', contextWindow: 1400, maxOutputTokens: 600 }, counter);
    // 800 reported text tokens do not fit the 800-token budget beside the new message; the 2-token text alone would.
    assert.equal(built.omittedMessages, 2);
  });

  it('refuses a message that cannot fit, with a clear error', async () => {
    await assert.rejects(
      buildContext({ systemPrompt: null, history: [], userContent: 'word '.repeat(3000), contextWindow: 1024 }, counter),
      /do not fit the model's context window of 1024 tokens/,
    );
  });
});
