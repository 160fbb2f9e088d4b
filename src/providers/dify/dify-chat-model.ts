import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import {
  createEventSourceResponseHandler,
  createJsonErrorResponseHandler,
  createJsonResponseHandler,
  postJsonToApi,
  type ParseResult,
} from '@ai-sdk/provider-utils';
import { z } from 'zod';
import { colloquyOptionsOf } from '../colloquy-call-options.ts';
import type { PlatformConversationStore } from './platform-conversation-store.ts';
import {
  difyBlockingAnswerSchema,
  difyErrorMessage,
  difyErrorSchema,
  difyStreamEventSchema,
  type DifyChatRequest,
  type DifyStreamEvent,
  type DifyUsage,
} from './dify-wire.ts';

export interface DifyModelSettings {
  providerId: string;
  /** The API root, e.g. https://api.dify.ai/v1. */
  baseUrl: string;
  apiKey: string | undefined;
  modelId: string;
  fetch: typeof globalThis.fetch;
  /** Absent (connection tests) means every call starts a new Dify conversation and none is kept. */
  conversations?: PlatformConversationStore;
}

/** `providerOptions.dify`: the app's input variables, and blocking calls for apps that cannot stream. */
const difyCallOptionsSchema = z
  .object({ inputs: z.record(z.string(), z.unknown()).optional(), responseMode: z.enum(['streaming', 'blocking']).optional() })
  .loose();

const maxObservationCharacters = 500;

function usageOf(usage: DifyUsage | undefined): LanguageModelV3Usage {
  return {
    inputTokens: { total: usage?.prompt_tokens, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: usage?.completion_tokens, text: undefined, reasoning: undefined },
  };
}

/** Dify keeps the history itself, so only the newest user message is sent, as `query`. */
function queryOf(prompt: LanguageModelV3Prompt): string {
  const last = [...prompt].reverse().find((message) => message.role === 'user');
  if (!last || last.role !== 'user') return '';
  return last.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

const stop = { unified: 'stop', raw: 'stop' } as const;

/**
 * A Dify chat app as an AI SDK model: `doStream` speaks the streaming chat-messages API (or the
 * blocking one, when asked), `doGenerate` the blocking one. The conversation id Dify issues is
 * stored against our conversation (`providerOptions.colloquy.conversationId`) and sent on the
 * next turn. Agent tool use (`agent_thought`) comes out as reasoning, which clients show as progress.
 */
export class DifyChatModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider = 'dify';
  readonly supportedUrls = {};

  constructor(private readonly settings: DifyModelSettings) {}

  get modelId(): string {
    return this.settings.modelId;
  }

  private async prepare(options: LanguageModelV3CallOptions, mode: 'streaming' | 'blocking') {
    const { conversationId, userId } = colloquyOptionsOf(options.providerOptions);
    const own = difyCallOptionsSchema.safeParse(options.providerOptions?.dify ?? {});
    const known = conversationId && this.settings.conversations
      ? await this.settings.conversations.find(conversationId, this.settings.providerId)
      : undefined;
    const body: DifyChatRequest = {
      inputs: (own.success ? own.data.inputs : undefined) ?? {},
      query: queryOf(options.prompt),
      response_mode: mode,
      conversation_id: known ?? '',
      user: userId ?? 'colloquy',
    };
    const remember = async (issued: string | null | undefined) => {
      if (!issued || issued === known || !conversationId || !this.settings.conversations) return;
      await this.settings.conversations.save(conversationId, this.settings.providerId, issued);
    };
    return { body, remember, wantsBlocking: own.success && own.data.responseMode === 'blocking' };
  }

  private post<T>(body: DifyChatRequest, handler: Parameters<typeof postJsonToApi<T>>[0]['successfulResponseHandler'], options: LanguageModelV3CallOptions) {
    return postJsonToApi({
      url: `${this.settings.baseUrl}/chat-messages`,
      headers: { ...(this.settings.apiKey ? { authorization: `Bearer ${this.settings.apiKey}` } : {}), ...options.headers },
      body,
      failedResponseHandler: createJsonErrorResponseHandler({ errorSchema: difyErrorSchema, errorToMessage: difyErrorMessage }),
      successfulResponseHandler: handler,
      abortSignal: options.abortSignal,
      fetch: this.settings.fetch,
    });
  }

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    const { body, remember } = await this.prepare(options, 'blocking');
    const { value, responseHeaders } = await this.post(body, createJsonResponseHandler(difyBlockingAnswerSchema), options);
    await remember(value.conversation_id);
    return {
      content: value.answer ? [{ type: 'text', text: value.answer }] : [],
      finishReason: stop,
      usage: usageOf(value.metadata?.usage),
      warnings: [],
      request: { body },
      response: { id: value.message_id, headers: responseHeaders, body: value },
    };
  }

  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    const prepared = await this.prepare(options, 'streaming');
    if (prepared.wantsBlocking) return this.blockingAsStream(options);
    const { body, remember } = prepared;
    const { value: events, responseHeaders } = await this.post(body, createEventSourceResponseHandler(difyStreamEventSchema), options);
    const translator = new DifyEventTranslator(remember);
    const stream = events.pipeThrough(
      new TransformStream<ParseResult<DifyStreamEvent>, LanguageModelV3StreamPart>({
        start: (controller) => controller.enqueue({ type: 'stream-start', warnings: [] }),
        transform: (parsed, controller) => translator.apply(parsed, controller),
        flush: (controller) => translator.finish(controller),
      }),
    );
    return { stream, request: { body }, response: { headers: responseHeaders } };
  }

  /** A blocking answer, delivered as a stream of one text part. */
  private async blockingAsStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    const result = await this.doGenerate(options);
    const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
    const parts: LanguageModelV3StreamPart[] = [
      { type: 'stream-start', warnings: [] },
      ...(text ? ([{ type: 'text-start', id: 'answer' }, { type: 'text-delta', id: 'answer', delta: text }, { type: 'text-end', id: 'answer' }] as const) : []),
      { type: 'finish', finishReason: result.finishReason, usage: result.usage },
    ];
    return { stream: new ReadableStream({ start: (controller) => { for (const part of parts) controller.enqueue(part); controller.close(); } }), request: result.request };
  }
}

type Controller = TransformStreamDefaultController<LanguageModelV3StreamPart>;

/** Turns Dify's streamed events into AI SDK stream parts, one answer and one progress block. */
class DifyEventTranslator {
  private textOpen = false;
  private reasoningOpen = false;
  private usage: DifyUsage | undefined;
  private readonly toolsAnnounced = new Set<string>();
  private readonly observationsShown = new Set<string>();

  constructor(private readonly remember: (conversationId: string | null | undefined) => Promise<void>) {}

  async apply(parsed: ParseResult<DifyStreamEvent>, controller: Controller): Promise<void> {
    if (!parsed.success) {
      controller.enqueue({ type: 'error', error: parsed.error });
      return;
    }
    const event = parsed.value;
    await this.remember(event.conversation_id);
    switch (event.event) {
      case 'message':
      case 'agent_message':
        this.text(String(event.answer ?? ''), controller);
        return;
      case 'agent_thought':
        this.thought(event, controller);
        return;
      case 'message_end':
        this.usage = event.metadata?.usage;
        return;
      case 'error':
        controller.enqueue({ type: 'error', error: new Error(`Dify stream error ${difyErrorMessage(event)}`) });
        return;
      default:
        return;
    }
  }

  finish(controller: Controller): void {
    if (this.reasoningOpen) controller.enqueue({ type: 'reasoning-end', id: 'progress' });
    if (this.textOpen) controller.enqueue({ type: 'text-end', id: 'answer' });
    controller.enqueue({ type: 'finish', finishReason: stop, usage: usageOf(this.usage) });
  }

  private text(delta: string, controller: Controller): void {
    if (delta === '') return;
    if (!this.textOpen) {
      this.textOpen = true;
      controller.enqueue({ type: 'text-start', id: 'answer' });
    }
    controller.enqueue({ type: 'text-delta', id: 'answer', delta });
  }

  private progress(line: string, controller: Controller): void {
    if (!this.reasoningOpen) {
      this.reasoningOpen = true;
      controller.enqueue({ type: 'reasoning-start', id: 'progress' });
    }
    controller.enqueue({ type: 'reasoning-delta', id: 'progress', delta: `${line}\n` });
  }

  /** Dify repeats a thought as it advances: announce its tool once, then its observation once. */
  private thought(event: DifyStreamEvent, controller: Controller): void {
    const id = String(event.id ?? '');
    if (event.tool && !this.toolsAnnounced.has(id)) {
      this.toolsAnnounced.add(id);
      this.progress(`Using ${event.tool}${event.tool_input ? ` with ${event.tool_input}` : ''}`, controller);
    }
    if (event.observation && !this.observationsShown.has(id)) {
      this.observationsShown.add(id);
      const observation = event.observation.length > maxObservationCharacters ? `${event.observation.slice(0, maxObservationCharacters)}…` : event.observation;
      this.progress(`Result: ${observation}`, controller);
    }
  }
}
