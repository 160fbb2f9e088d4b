import type { LanguageModelV3Message } from '@ai-sdk/provider';
import { AppError } from '../errors/app-error.ts';
import type { Message } from '../storage/repositories/messages-repository.ts';
import type { TokenCounter } from './token-counter.ts';

/** Role markers and separators cost a few tokens per message on every chat format. */
const perMessageOverhead = 4;

export interface ContextRequest {
  systemPrompt: string | null;
  /** Earlier messages, oldest first. */
  history: Message[];
  userContent: string;
  /**
   * Messages a client sent to end the prompt with, instead of one user message made of
   * `userContent` (OpenAI and Anthropic surfaces). Their text counts toward the budget.
   */
  newMessages?: LanguageModelV3Message[];
  contextWindow: number;
  maxOutputTokens?: number;
}

export interface BuiltContext {
  messages: LanguageModelV3Message[];
  /** Our own count of the prompt, for estimates when the provider reports no usage. */
  promptTokens: number;
  userMessageTokens: number;
  /** Older messages left out to fit the window. */
  omittedMessages: number;
}

/** Tokens kept free for the answer when the request sets no cap of its own. */
export function reservedForAnswer(contextWindow: number, maxOutputTokens?: number): number {
  return Math.min(maxOutputTokens ?? 4096, Math.floor(contextWindow / 2));
}

/** The text a prompt message carries, for counting: text parts, tool inputs and results. */
export function messageText(message: LanguageModelV3Message): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part) => {
      switch (part.type) {
        case 'text':
        case 'reasoning':
          return part.text;
        case 'tool-call':
          return JSON.stringify(part.input);
        case 'tool-result':
          return JSON.stringify(part.output);
        default:
          return '';
      }
    })
    .join('\n');
}

const usableHistory = (message: Message) =>
  (message.role === 'user' || message.role === 'assistant') && message.status !== 'generating' && message.content !== '';

/**
 * What a stored message costs, without tokenising it again every turn: a user message stores its
 * own count; an answer's reported completion tokens less its reasoning bound its text (a little
 * over, with tool calls, which errs safe). Only messages with neither are counted.
 */
function knownTokens(message: Message): number {
  if (message.role === 'user') return message.tokenCount;
  const usage = message.usage;
  if (!usage || usage.estimated === true) return 0;
  const completion = Number(usage.completion_tokens) - (Number(usage.reasoning_tokens) || 0);
  return Number.isFinite(completion) ? completion : 0;
}

async function tokensOf(message: Message, counter: TokenCounter): Promise<number> {
  const known = knownTokens(message);
  return (known > 0 ? known : await counter.count(message.content)) + perMessageOverhead;
}

/**
 * The prompt for a turn: the system prompt, then as many of the newest earlier messages as fit
 * in the model's window after room for the answer, then the new user message. The system prompt
 * and the new message always go in; if they alone do not fit, the request is refused.
 */
export async function buildContext(request: ContextRequest, counter: TokenCounter): Promise<BuiltContext> {
  const budget = request.contextWindow - reservedForAnswer(request.contextWindow, request.maxOutputTokens);
  const systemTokens = request.systemPrompt ? (await counter.count(request.systemPrompt)) + perMessageOverhead : 0;
  const userMessageTokens = await counter.count(request.userContent);
  const newTokens = request.newMessages
    ? await counter.count(request.newMessages.map(messageText).join('\n'))
    : userMessageTokens;
  let used = systemTokens + newTokens + perMessageOverhead * (request.newMessages?.length ?? 1);
  if (used > budget) {
    throw new AppError(
      'VALIDATION_ERROR',
      `the message (${newTokens} tokens) and system prompt do not fit the model's context window of ${request.contextWindow} tokens; shorten the message`,
    );
  }

  const candidates = request.history.filter(usableHistory);
  const kept: Message[] = [];
  for (let index = candidates.length - 1; index >= 0; index -= 1) {
    const cost = await tokensOf(candidates[index]!, counter);
    if (used + cost > budget) break;
    used += cost;
    kept.push(candidates[index]!);
  }
  kept.reverse();

  const messages: LanguageModelV3Message[] = [];
  if (request.systemPrompt) messages.push({ role: 'system', content: request.systemPrompt });
  for (const message of kept) {
    messages.push(
      message.role === 'user'
        ? { role: 'user', content: [{ type: 'text', text: message.content }] }
        : { role: 'assistant', content: [{ type: 'text', text: message.content }] },
    );
  }
  if (request.newMessages) messages.push(...request.newMessages);
  else messages.push({ role: 'user', content: [{ type: 'text', text: request.userContent }] });
  return { messages, promptTokens: used, userMessageTokens, omittedMessages: candidates.length - kept.length };
}
