import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyUsage, type ChatEvent } from '../chat/chat-event.ts';
import type { RunEvent } from '../chat/run-log.ts';
import { LuxxEncoder } from './luxx-encoder.ts';
import type { SseFrame } from './sse-frame.ts';

const turn: ChatEvent[] = [
  { type: 'turn-start', turnId: 't', conversationId: 'c', userMessageId: 'u', assistantMessageId: 'a', providerId: 'p', model: 'm', createdAt: '' },
  { type: 'reasoning-delta', text: 'Let me ' },
  { type: 'reasoning-delta', text: 'think.' },
  { type: 'text-delta', text: 'Searching' },
  { type: 'tool-call', toolCallId: 'call_1', toolName: 'lookup', input: '{"q":"x"}' },
  { type: 'tool-result', toolCallId: 'call_1', toolName: 'lookup', output: 'found', isError: false },
  { type: 'text-delta', text: 'The answer' },
  { type: 'text-delta', text: ' is 42.' },
  { type: 'usage', usage: { ...emptyUsage(), promptTokens: 5, completionTokens: 7, totalTokens: 12 } },
  { type: 'finish', outcome: 'complete', finishReason: 'stop', usage: { ...emptyUsage(), promptTokens: 5, completionTokens: 7, totalTokens: 12 }, tokenCount: 12 },
];
const numbered: RunEvent[] = turn.map((event, index) => ({ seq: index + 1, event }));

/** Encodes with a flush after every event (the eager extreme) or only when forced (the lazy one). */
function encode(events: RunEvent[], afterSeq: number, eager: boolean): SseFrame[] {
  const encoder = new LuxxEncoder(afterSeq);
  const frames: SseFrame[] = [];
  for (const event of events) {
    frames.push(...encoder.push(event));
    if (eager) frames.push(...encoder.flush());
  }
  return [...frames, ...encoder.flush()];
}

/** What a Luxx client ends up showing: steps replaced by id. */
function render(frames: SseFrame[]) {
  const steps = new Map<string, Record<string, unknown>>();
  for (const frame of frames) {
    if (frame.event === 'process_step') {
      const step = (frame.data as { step: Record<string, unknown> }).step;
      steps.set(step.id as string, step);
    }
  }
  return [...steps.values()];
}

describe('Luxx process_step encoder', () => {
  it('folds deltas into ordered steps with ids, indices and snapshots, then done', () => {
    const frames = encode(numbered, 0, false);
    assert.deepEqual(render(frames), [
      { id: 'step-0', index: 0, type: 'thinking', content: 'Let me think.' },
      { id: 'step-1', index: 1, type: 'text', content: 'Searching' },
      { id: 'step-2', index: 2, type: 'tool_call', id_ref: 'call_1', name: 'lookup', arguments: '{"q":"x"}' },
      { id: 'step-3', index: 3, type: 'tool_result', id_ref: 'call_1', name: 'lookup', content: 'found', success: true },
      { id: 'step-4', index: 4, type: 'text', content: 'The answer is 42.' },
    ]);
    const done = frames.at(-1)!;
    assert.equal(done.event, 'done');
    assert.deepEqual(done.data, { message_id: 'a', token_count: 12, usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }, status: 'complete' });
    // Ids only grow, so Last-Event-ID is always the newest frame's.
    const ids = frames.map((frame) => Number(frame.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  });

  it('resuming after any frame yields the same final rendering, and no frame twice', () => {
    const full = encode(numbered, 0, true);
    for (const cut of full) {
      const resumed = encode(numbered, Number(cut.id), true);
      const seen = full.slice(0, full.indexOf(cut) + 1);
      assert.deepEqual(render([...seen, ...resumed]), render(full));
      assert.ok(resumed.every((frame) => Number(frame.id) > Number(cut.id)));
    }
  });

  it('reports a failed turn as error, without done', () => {
    const events: RunEvent[] = [
      numbered[0]!,
      { seq: 2, event: { type: 'text-delta', text: 'partial' } },
      { seq: 3, event: { type: 'error', code: 'PROVIDER_ERROR', message: 'upstream broke' } },
      { seq: 4, event: { type: 'finish', outcome: 'failed', finishReason: 'error', usage: emptyUsage(), tokenCount: 0 } },
    ];
    const frames = encode(events, 0, false);
    assert.deepEqual(frames.map((frame) => frame.event), ['process_step', 'error']);
    assert.deepEqual(frames[1]!.data, { content: 'upstream broke', code: 'PROVIDER_ERROR', message_id: 'a' });
  });
});
