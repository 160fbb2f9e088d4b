import { StringDecoder } from 'node:string_decoder';

/**
 * Cuts a byte stream of Server-Sent Events into whole events (each ending in a blank line),
 * with LF line endings whatever the sender used. Strict clients need one whole event per write,
 * and a relay cannot promise that by forwarding the upstream's chunks as they fall.
 */
export class SseEventSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  push(chunk: Buffer): string[] {
    let text = this.rest + this.decoder.write(chunk);
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

/** The `data` of one event, its lines joined; undefined when it has none (a comment, a keep-alive). */
export function sseEventData(event: string): string | undefined {
  if (event.startsWith('data: ') && event.indexOf('\n') === event.length - 2) return event.slice(6, -2);
  let data: string | undefined;
  for (const line of event.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const value = line.slice(line.startsWith('data: ') ? 6 : 5);
    data = data === undefined ? value : `${data}\n${value}`;
  }
  return data;
}
