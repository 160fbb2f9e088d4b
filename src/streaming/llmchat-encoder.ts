import type { RunEvent } from '../chat/run-log.ts';
import type { SseFrame } from './sse-frame.ts';

const maxStatusCharacters = 2000;
const clip = (text: string) => (text.length > maxStatusCharacters ? `${text.slice(0, maxStatusCharacters)}…` : text);

export interface LlmChatEncoderOptions {
  /**
   * The id the client knows the chat by (its own `chatId`, or the conversation id). When given, a
   * `chatId` frame (`{chatId}`) opens the stream, as LLMChat's web app expects, and `start` and
   * `end` name the chat by it; otherwise they carry the conversation id.
   */
  chatId?: string;
}

/**
 * LLMChat's agent stream: `start`, then `chunk` frames (`{type:"text",content}`) with `status`
 * frames for reasoning and tool progress, then `end` (`{type:"end",sessionId,messageId}`), or
 * `error` (`message` and `content`, which the web app shows) when the turn fails. Text goes out as
 * deltas, so nothing is held back. Every frame but `chatId` carries the run event's sequence
 * number as its id, so `Last-Event-ID` resumes after it.
 */
export class LlmChatEncoder {
  private sessionId = '';
  private messageId = '';

  constructor(
    private readonly afterSeq: number,
    private readonly options: LlmChatEncoderOptions = {},
  ) {}

  push({ seq, event }: RunEvent): SseFrame[] {
    if (event.type === 'turn-start') {
      this.sessionId = this.options.chatId ?? event.conversationId;
      this.messageId = event.assistantMessageId;
    }
    if (seq <= this.afterSeq) return [];
    switch (event.type) {
      case 'turn-start': {
        const start: SseFrame = { event: 'start', id: seq, data: { type: 'start', sessionId: this.sessionId, messageId: this.messageId } };
        return this.options.chatId === undefined ? [start] : [{ event: 'chatId', data: { chatId: this.options.chatId } }, start];
      }
      case 'text-delta':
        return [{ event: 'chunk', id: seq, data: { type: 'text', content: event.text } }];
      case 'reasoning-delta':
        return [{ event: 'status', id: seq, data: { type: 'status', status: 'reasoning', content: event.text } }];
      case 'tool-call':
        return [{ event: 'status', id: seq, data: { type: 'status', status: 'tool_call', tool: event.toolName, content: clip(event.input) } }];
      case 'tool-result':
        return [
          {
            event: 'status', id: seq,
            data: { type: 'status', status: event.isError ? 'tool_error' : 'tool_result', tool: event.toolName, content: clip(event.output) },
          },
        ];
      case 'error':
        return [{ event: 'error', id: seq, data: { type: 'error', code: event.code, message: event.message, content: event.message } }];
      case 'finish':
        if (event.outcome === 'failed') return [];
        return [{ event: 'end', id: seq, data: { type: 'end', sessionId: this.sessionId, messageId: this.messageId } }];
      default:
        return [];
    }
  }

  hasPending(): boolean {
    return false;
  }

  flush(): SseFrame[] {
    return [];
  }
}
