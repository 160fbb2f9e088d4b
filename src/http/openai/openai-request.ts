import type {
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3ToolChoice,
} from '@ai-sdk/provider';
import type { CallSettings } from '../../chat/turn-runner.ts';
import { validationError } from '../../errors/app-error.ts';
import type { ChatCompletionBody, OpenAiMessage } from './openai-schemas.ts';

type UserPart = Extract<LanguageModelV3Message, { role: 'user' }>['content'][number];

/** What a chat completion request asks of the engine, in its terms. */
export interface TranslatedChatRequest {
  /** System and developer messages joined, or null. */
  systemPrompt: string | null;
  /** The prompt without its system messages. */
  messages: LanguageModelV3Message[];
  /** The last user message's text: what a persisted turn stores as the user's message. */
  lastUserText: string;
  /** True when the client sent earlier answers, i.e. keeps the conversation's history itself. */
  carriesHistory: boolean;
  callSettings: CallSettings;
  clientTools?: LanguageModelV3FunctionTool[];
  toolChoice?: LanguageModelV3ToolChoice;
  thinking: boolean;
}

const textOf = (content: string | Array<{ text: string }> | null | undefined): string =>
  content == null ? '' : typeof content === 'string' ? content : content.map((part) => part.text).join('');

/** `data:` URLs become bytes; other URLs are passed to the provider as URLs. */
function imagePart(url: string): UserPart {
  const match = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(url);
  if (match) {
    if (!match[2]) throw validationError('image data URLs must be base64-encoded');
    return { type: 'file', mediaType: match[1] ?? 'image/png', data: match[3]! };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw validationError(`image_url.url is not a URL: ${url.slice(0, 80)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw validationError('image_url.url must be an http(s) or data: URL');
  return { type: 'file', mediaType: 'image/*', data: parsed };
}

function parseArguments(text: string, name: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw validationError(`the arguments of the earlier call to ${name} are not valid JSON`);
  }
}

function translateMessages(input: OpenAiMessage[]): Pick<TranslatedChatRequest, 'systemPrompt' | 'messages' | 'lastUserText' | 'carriesHistory'> {
  const system: string[] = [];
  const messages: LanguageModelV3Message[] = [];
  const toolNames = new Map<string, string>();
  let lastUserText = '';
  let carriesHistory = false;
  for (const message of input) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(textOf(message.content));
        break;
      case 'user': {
        const content: UserPart[] =
          typeof message.content === 'string'
            ? [{ type: 'text', text: message.content }]
            : message.content.map((part) => (part.type === 'text' ? { type: 'text', text: part.text } : imagePart(part.image_url.url)));
        lastUserText = content.map((part) => (part.type === 'text' ? part.text : '')).join('');
        messages.push({ role: 'user', content });
        break;
      }
      case 'assistant': {
        carriesHistory = true;
        const content: Extract<LanguageModelV3Message, { role: 'assistant' }>['content'] = [];
        const text = textOf(message.content);
        if (text !== '') content.push({ type: 'text', text });
        for (const call of message.tool_calls ?? []) {
          toolNames.set(call.id, call.function.name);
          content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.function.name, input: parseArguments(call.function.arguments, call.function.name) });
        }
        messages.push({ role: 'assistant', content });
        break;
      }
      case 'tool': {
        const toolName = toolNames.get(message.tool_call_id);
        if (!toolName) throw validationError(`tool message answers tool_call_id ${message.tool_call_id}, which no earlier assistant message called`);
        const part = { type: 'tool-result' as const, toolCallId: message.tool_call_id, toolName, output: { type: 'text' as const, value: textOf(message.content) } };
        const previous = messages.at(-1);
        if (previous?.role === 'tool') previous.content.push(part);
        else messages.push({ role: 'tool', content: [part] });
        break;
      }
    }
  }
  if (messages.length === 0) throw validationError('messages must hold at least one user message');
  return { systemPrompt: system.length > 0 ? system.join('\n\n') : null, messages, lastUserText, carriesHistory };
}

function translateToolChoice(choice: ChatCompletionBody['tool_choice']): LanguageModelV3ToolChoice | undefined {
  if (!choice) return undefined;
  if (typeof choice === 'string') return { type: choice };
  return { type: 'tool', toolName: choice.function.name };
}

function translateResponseFormat(format: ChatCompletionBody['response_format']): CallSettings['responseFormat'] {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json' };
  const { schema, name, description } = format.json_schema;
  return { type: 'json', schema: schema as never, name, description };
}

/** One choice per request: the stored and encoded answers hold one. */
export function assertOneChoice(body: ChatCompletionBody): void {
  if (body.n != null && body.n !== 1) throw validationError('n must be 1: one choice per request is supported');
}

/** Checks and translates an OpenAI chat completion request. */
export function translateChatRequest(body: ChatCompletionBody): TranslatedChatRequest {
  assertOneChoice(body);
  const stop = body.stop == null ? undefined : typeof body.stop === 'string' ? [body.stop] : body.stop;
  const clientTools = body.tools?.map(
    (tool): LanguageModelV3FunctionTool => ({
      type: 'function',
      name: tool.function.name,
      description: tool.function.description,
      inputSchema: (tool.function.parameters ?? { type: 'object', properties: {} }) as LanguageModelV3FunctionTool['inputSchema'],
    }),
  );
  const toolChoice = translateToolChoice(body.tool_choice);
  if (toolChoice?.type === 'tool' && !clientTools?.some((tool) => tool.name === toolChoice.toolName)) {
    throw validationError(`tool_choice names ${toolChoice.toolName}, which is not in tools`);
  }
  return {
    ...translateMessages(body.messages),
    callSettings: {
      temperature: body.temperature ?? undefined,
      topP: body.top_p ?? undefined,
      maxOutputTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
      stopSequences: stop,
      seed: body.seed ?? undefined,
      presencePenalty: body.presence_penalty ?? undefined,
      frequencyPenalty: body.frequency_penalty ?? undefined,
      responseFormat: translateResponseFormat(body.response_format),
    },
    clientTools: clientTools && clientTools.length > 0 ? clientTools : undefined,
    toolChoice: clientTools && clientTools.length > 0 ? toolChoice : undefined,
    thinking: body.reasoning_effort != null && !['none', 'minimal'].includes(body.reasoning_effort),
  };
}
