import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { APICallError } from '@ai-sdk/provider';
import {
  answer,
  disconnect,
  dropConnection,
  endWithoutFinish,
  garbageLine,
  httpError,
  invalidJson,
  rateLimited,
  stall,
  startFakeUpstream,
  streamError,
  text,
  type FakeUpstream,
} from './index.ts';
import {
  callOptions,
  errorMessages,
  finishOf,
  hasError,
  joinedDeltas,
  providerAdapters,
  readRemainingParts,
  readStreamParts,
  readUntil,
} from './provider-adapters.ts';

for (const adapter of providerAdapters) {
  describe(`fake upstream faults through the official ${adapter.format} adapter`, () => {
    let fake: FakeUpstream;
    before(async () => (fake = await startFakeUpstream()));
    after(() => fake.close());
    beforeEach(() => (fake.requests.length = 0));

    it('surfaces a 429 as an APICallError with its status and retry-after header', async () => {
      fake.script(rateLimited(1));
      await assert.rejects(async () => adapter.create(fake).doStream(callOptions()), (error: unknown) => {
        assert.ok(APICallError.isInstance(error), `not an APICallError: ${String(error)}`);
        assert.equal(error.statusCode, 429);
        assert.equal(error.responseHeaders?.['retry-after'], '1');
        assert.equal(error.isRetryable, true);
        assert.match(error.message, /rate limited/);
        return true;
      });
    });

    it('surfaces a 503 with its message in the format error shape', async () => {
      fake.script(httpError(503, { message: 'busy, come back later' }));
      await assert.rejects(async () => adapter.create(fake).doGenerate(callOptions()), (error: unknown) => {
        assert.ok(APICallError.isInstance(error));
        assert.equal(error.statusCode, 503);
        assert.equal(error.message, 'busy, come back later');
        return true;
      });
    });

    it('answers 500 saying so when no reply is scripted', async () => {
      await assert.rejects(async () => adapter.create(fake).doStream(callOptions()), (error: unknown) => {
        assert.ok(APICallError.isInstance(error));
        assert.equal(error.statusCode, 500);
        assert.match(error.message, /fake upstream: no reply scripted/);
        return true;
      });
    });

    it('fails the call when the connection is destroyed before any byte', async () => {
      fake.script(dropConnection());
      await assert.rejects(async () => adapter.create(fake).doStream(callOptions()));
      assert.equal(fake.requests[0]?.clientClosedEarly, false, 'the script dropped it, not the client');
    });

    it('breaks the stream with an error after the parts sent before a mid-stream disconnect', async () => {
      fake.script(answer([text('Hel'), disconnect()]));
      const parts = await readStreamParts((await adapter.create(fake).doStream(callOptions())).stream);
      assert.equal(joinedDeltas(parts, 'text-delta'), 'Hel');
      assert.ok(hasError(parts), `no error part in ${parts.map((part) => part.type).join(', ')}`);
      assert.notEqual(finishOf(parts)?.finishReason.unified, 'stop');
    });

    it('turns a data line of invalid JSON into an error part', async () => {
      fake.script(answer([text('a'), invalidJson(), text('b')]));
      const parts = await readStreamParts((await adapter.create(fake).doStream(callOptions())).stream);
      assert.ok(hasError(parts), `no error part in ${parts.map((part) => part.type).join(', ')}`);
    });

    it("passes the provider's in-stream error event on as an error part", async () => {
      fake.script(answer([text('a'), streamError('overloaded mid-way')]));
      const parts = await readStreamParts((await adapter.create(fake).doStream(callOptions())).stream);
      assert.equal(joinedDeltas(parts, 'text-delta'), 'a');
      assert.deepEqual(errorMessages(parts), ['overloaded mid-way']);
    });

    it('never reports a clean stop for a stream that ends without finish or terminator', async () => {
      fake.script(answer([text('half an answ'), endWithoutFinish()]));
      const parts = await readStreamParts((await adapter.create(fake).doStream(callOptions())).stream);
      assert.equal(joinedDeltas(parts, 'text-delta'), 'half an answ');
      assert.ok(!parts.some((part) => part.type === 'finish' && part.finishReason.unified === 'stop'));
    });

    it('lets SSE clients skip a line that is not an event', async () => {
      fake.script(answer([text('a'), garbageLine(), text('b')]));
      const parts = await readStreamParts((await adapter.create(fake).doStream(callOptions())).stream);
      assert.equal(joinedDeltas(parts, 'text-delta'), 'ab');
      assert.equal(finishOf(parts)?.finishReason.unified, 'stop');
    });

    it('sees the client abort a stalled stream', async () => {
      fake.script(answer([text('before the stall'), stall()]));
      const controller = new AbortController();
      const { stream } = await adapter.create(fake).doStream(callOptions({ abortSignal: controller.signal }));
      const reader = stream.getReader();
      await readUntil(reader, (part) => part.type === 'text-delta');
      controller.abort();
      await fake.waitForClientClose(0);
      assert.equal(fake.requests[0]?.clientClosedEarly, true);
    });

    it('holds a stream at a gate until released', async () => {
      const gate = fake.gate();
      fake.script(answer([text('a'), gate, text('b')]));
      const { stream } = await adapter.create(fake).doStream(callOptions());
      const reader = stream.getReader();
      const early = await readUntil(reader, (part) => part.type === 'text-delta');
      await gate.reached;
      assert.equal(joinedDeltas(early, 'text-delta'), 'a');
      const next = reader.read();
      const raced = await Promise.race([next.then(() => 'read'), new Promise((resolve) => setTimeout(() => resolve('held'), 50))]);
      assert.equal(raced, 'held');
      gate.release();
      const first = await next;
      const rest = [...(first.done ? [] : [first.value]), ...(await readRemainingParts(reader))];
      assert.equal(joinedDeltas(rest, 'text-delta'), 'b');
      assert.equal(finishOf(rest)?.finishReason.unified, 'stop');
    });
  });
}
