import { StringDecoder } from 'node:string_decoder';
import { createParser } from 'eventsource-parser';

/**
 * Cuts a byte stream of Server-Sent Events into whole events (each ending in a blank line),
 * with LF line endings whatever the sender used. Strict clients need one whole event per write,
 * and a relay cannot promise that by forwarding the upstream's chunks as they fall.
 *
 * Kept by hand rather than taken from eventsource-parser: the parser hands over parsed fields
 * (data, event, id) and drops comments, so the event's own text, which the relay forwards byte
 * for byte (keep-alive comments included), cannot be had from it. Reading an event's fields is
 * the parser's job (`sseEventReader`).
 */
export class SseEventSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  private atStart = true;

  push(chunk: Buffer): string[] {
    let text = this.rest + this.decoder.write(chunk);
    if (this.atStart && text !== '') {
      // The stream's byte-order mark is no part of its first event (the SSE spec's decoder drops it).
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.includes('\r')) {
      // A CR at the very end may be the first half of a CRLF split across chunks.
      const held = text.endsWith('\r') ? '\r' : '';
      text = text.slice(0, text.length - held.length).replace(/\r\n?/g, '\n');
      if (held) return this.cut(text, held);
    }
    return this.cut(text, '');
  }

  /** What is left when the stream ends, completed as an event if it holds anything. */
  end(): string[] {
    const text = (this.rest + this.decoder.end()).replace(/\r\n?/g, '\n');
    this.rest = '';
    return text.trim() === '' ? [] : [text.replace(/\n*$/, '\n\n')];
  }

  private cut(text: string, held: string): string[] {
    const events: string[] = [];
    let start = 0;
    for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n', start)) {
      events.push(text.slice(start, end + 2));
      start = end + 2;
    }
    this.rest = (start === 0 ? text : text.slice(start)) + held;
    return events;
  }
}

/**
 * Reads the `data` of whole events (as `SseEventSplitter` cuts them) with eventsource-parser:
 * multi-line data joined, `data:` with or without its space, a leading BOM dropped; undefined
 * for an event without data (a comment, a keep-alive). One reader per stream: the parser is
 * reused, and a whole event makes it dispatch synchronously.
 */
export function sseEventReader(): (event: string) => string | undefined {
  let data: string | undefined;
  const parser = createParser({
    onEvent(message) {
      data = message.data;
    },
  });
  return (event) => {
    data = undefined;
    parser.feed(event);
    return data;
  };
}
