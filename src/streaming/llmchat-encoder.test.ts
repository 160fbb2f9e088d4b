import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyUsage, type ChatEvent } from '../chat/chat-event.ts';
import type { RunEvent } from '../chat/run-log.ts';
import { LlmChatEncoder } from './llmchat-encoder.ts';
import { formatSseFrame, type SseFrame } from './sse-frame.ts';

const start: ChatEvent = {
  type: 'turn-start', turnId: 'a1', conversationId: 'conv-1', userMessageId: 'u1', assistantMessageId: 'a1', providerId: 'p', model: 'm', createdAt: '',
};
const finish = (outcome: 'complete' | 'failed'): ChatEvent => ({
  type: 'finish', outcome, finishReason: outcome === 'failed' ? 'error' : 'stop', usage: emptyUsage(), tokenCount: 0,
});
const numbered = (events: ChatEvent[]): RunEvent[] => events.map((event, index) => ({ seq: index + 1, event }));

function encode(events: RunEvent[], encoder: LlmChatEncoder): SseFrame[] {
  return [...events.flatMap((event) => encoder.push(event)), ...encoder.flush()];
}

describe('LLMChat encoder', () => {
  const turn = numbered([start, { type: 'reasoning-delta', text: 'hmm' }, { type: 'text-delta', text: 'Hel' }, { type: 'text-delta', text: 'lo' }, finish('complete')]);

  it('opens with chatId when the client named the chat, and names it so in start and end', () => {
    const frames = encode(turn, new LlmChatEncoder(0, { chatId: 'session_1700000000000' }));
    assert.deepEqual(frames, [
      { event: 'chatId', data: { chatId: 'session_1700000000000' } },
      { event: 'start', id: 1, data: { type: 'start', sessionId: 'session_1700000000000', messageId: 'a1' } },
      { event: 'status', id: 2, data: { type: 'status', status: 'reasoning', content: 'hmm' } },
      { event: 'chunk', id: 3, data: { type: 'text', content: 'Hel' } },
      { event: 'chunk', id: 4, data: { type: 'text', content: 'lo' } },
      { event: 'end', id: 5, data: { type: 'end', sessionId: 'session_1700000000000', messageId: 'a1' } },
    ]);
    assert.equal(formatSseFrame(frames[0]!), 'event: chatId\ndata: {"chatId":"session_1700000000000"}\n\n');
  });

  it('without a chat id keeps the conversation id and sends no chatId frame; a resume skips what was seen', () => {
    const frames = encode(turn, new LlmChatEncoder(3));
    assert.deepEqual(frames.map((frame) => frame.event), ['chunk', 'end']);
    assert.deepEqual(frames[1]!.data, { type: 'end', sessionId: 'conv-1', messageId: 'a1' });
  });

  it('reports a failure as an error frame carrying content as well as message, and no end', () => {
    const failed = numbered([start, { type: 'error', code: 'PROVIDER_ERROR', message: 'upstream said no' }, finish('failed')]);
    const frames = encode(failed, new LlmChatEncoder(0, { chatId: 'c' }));
    assert.deepEqual(frames.map((frame) => frame.event), ['chatId', 'start', 'error']);
    assert.deepEqual(frames[2]!.data, { type: 'error', code: 'PROVIDER_ERROR', message: 'upstream said no', content: 'upstream said no' });
  });
});
