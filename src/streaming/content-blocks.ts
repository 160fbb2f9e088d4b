import type { ChatEvent } from '../chat/chat-event.ts';

export type BlockKind = 'text' | 'thinking' | 'tool_use';

/** A step of a block-structured stream (Anthropic's messages, StellarByte's frames). */
export type BlockOp =
  | { op: 'start'; index: number; kind: BlockKind; toolCallId?: string; toolName?: string }
  | { op: 'delta'; index: number; kind: BlockKind; text: string }
  | { op: 'stop'; index: number };

/**
 * Turns a turn's flat events into numbered content blocks: consecutive text (or reasoning)
 * deltas share a block, a change of kind closes it and opens the next, and a tool call is a
 * block of its own holding its whole input as one delta.
 */
export class ContentBlocks {
  private open: { index: number; kind: BlockKind } | undefined;
  private next = 0;

  apply(event: ChatEvent): BlockOp[] {
    switch (event.type) {
      case 'text-delta':
        return this.append('text', event.text);
      case 'reasoning-delta':
        return this.append('thinking', event.text);
      case 'tool-call': {
        const ops = this.close();
        const index = this.next++;
        ops.push(
          { op: 'start', index, kind: 'tool_use', toolCallId: event.toolCallId, toolName: event.toolName },
          { op: 'delta', index, kind: 'tool_use', text: event.input.trim() === '' ? '{}' : event.input },
          { op: 'stop', index },
        );
        return ops;
      }
      case 'error':
      case 'finish':
        return this.close();
      default:
        return [];
    }
  }

  /** Ends the open block, if any. */
  close(): BlockOp[] {
    if (!this.open) return [];
    const { index } = this.open;
    this.open = undefined;
    return [{ op: 'stop', index }];
  }

  private append(kind: BlockKind, text: string): BlockOp[] {
    if (text === '') return [];
    const ops: BlockOp[] = [];
    if (this.open?.kind !== kind) {
      ops.push(...this.close());
      this.open = { index: this.next++, kind };
      ops.push({ op: 'start', index: this.open.index, kind });
    }
    ops.push({ op: 'delta', index: this.open!.index, kind, text });
    return ops;
  }
}
