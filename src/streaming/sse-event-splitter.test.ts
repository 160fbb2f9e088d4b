import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseEventSplitter, sseEventReader } from './sse-event-splitter.ts';

describe('SseEventSplitter', () => {
  it('hands over whole events only, however the bytes were cut', () => {
    const stream = 'data: {"a":1}\n\ndata: {"b":"é"}\n\n: keep-alive\n\ndata: [DONE]\n\n';
    const bytes = Buffer.from(stream);
    for (let cut = 1; cut < bytes.length; cut += 1) {
      const splitter = new SseEventSplitter();
      const events = [...splitter.push(bytes.subarray(0, cut)), ...splitter.push(bytes.subarray(cut)), ...splitter.end()];
      assert.deepEqual(events, ['data: {"a":1}\n\n', 'data: {"b":"é"}\n\n', ': keep-alive\n\n', 'data: [DONE]\n\n'], `cut at ${cut}`);
    }
  });

  it('turns CRLF and CR line endings into LF, even when a CRLF is split across chunks', () => {
    const splitter = new SseEventSplitter();
    const events = [...splitter.push(Buffer.from('data: 1\r')), ...splitter.push(Buffer.from('\n\r\ndata: 2\r\r')), ...splitter.end()];
    assert.deepEqual(events, ['data: 1\n\n', 'data: 2\n\n']);
  });

  it('completes an unterminated last event and drops trailing blanks', () => {
    const splitter = new SseEventSplitter();
    assert.deepEqual(splitter.push(Buffer.from('data: x')), []);
    assert.deepEqual(splitter.end(), ['data: x\n\n']);
    assert.deepEqual(new SseEventSplitter().end(), []);
  });

  it('reads the data of an event, joining multi-line data', () => {
    const read = sseEventReader();
    assert.equal(read('data: {"a":1}\n\n'), '{"a":1}');
    assert.equal(read('event: x\ndata: one\ndata:two\n\n'), 'one\ntwo');
    assert.equal(read(': comment\n\n'), undefined);
    assert.equal(read('id: 7\nretry: 100\n\n'), undefined);
    assert.equal(read('this is not a server-sent event\n\n'), undefined);
    assert.equal(read('data\n\n'), '');
    assert.equal(read('data: after the noise\n\n'), 'after the noise');
  });

  it('keeps every event byte for byte while its data is read, across any cut of the stream', () => {
    const stream = '\uFEFFdata: {"a":1}\r\n\r\n: OPENROUTER PROCESSING\n\nevent: e\nid: 4\ndata:{"b":2}\n\ndata: [DONE]\n\n';
    const bytes = Buffer.from(stream);
    for (let cut = 1; cut < bytes.length; cut += 1) {
      const splitter = new SseEventSplitter();
      const read = sseEventReader();
      const events = [...splitter.push(bytes.subarray(0, cut)), ...splitter.push(bytes.subarray(cut)), ...splitter.end()];
      assert.deepEqual(events, ['data: {"a":1}\n\n', ': OPENROUTER PROCESSING\n\n', 'event: e\nid: 4\ndata:{"b":2}\n\n', 'data: [DONE]\n\n'], `cut at ${cut}`);
      assert.deepEqual(events.map(read), ['{"a":1}', undefined, '{"b":2}', '[DONE]'], `cut at ${cut}`);
    }
  });
});
