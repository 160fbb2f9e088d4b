/** One Server-Sent Events frame; `data` is serialised as one JSON line. */
export interface SseFrame {
  event?: string;
  id?: number | string;
  data: unknown;
}

/** Serialises a frame with LF line endings, as strict SSE parsers require. */
export function formatSseFrame(frame: SseFrame): string {
  let text = '';
  if (frame.id !== undefined) text += `id: ${frame.id}\n`;
  if (frame.event !== undefined) text += `event: ${frame.event}\n`;
  const data = typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data);
  // JSON.stringify never emits raw newlines, but a plain string payload might.
  for (const line of data.split('\n')) text += `data: ${line}\n`;
  return `${text}\n`;
}

/** `Last-Event-ID` (or a query cursor) as a sequence number; anything unreadable means "from the start". */
export function parseEventCursor(...candidates: Array<string | string[] | undefined>): number {
  for (const candidate of candidates) {
    const value = Array.isArray(candidate) ? candidate[0] : candidate;
    if (value === undefined || value.trim() === '') continue;
    const parsed = Number(value);
    if (Number.isSafeInteger(parsed) && parsed >= 0) return parsed;
  }
  return 0;
}
