import type { LanguageModelV3FunctionTool, LanguageModelV3Message, LanguageModelV3ToolChoice } from '@ai-sdk/provider';
import type { CallSettings } from '../../chat/turn-runner.ts';
import { validationError } from '../../errors/app-error.ts';
import type { AnthropicBlock, MessagesBody } from './anthropic-schemas.ts';

type UserPart = Extract<LanguageModelV3Message, { role: 'user' }>['content'][number];
type AssistantPart = Extract<LanguageModelV3Message, { role: 'assistant' }>['content'][number];
type ToolPart = Extract<LanguageModelV3Message, { role: 'tool' }>['content'][number];

export interface TranslatedMessagesRequest {
  messages: LanguageModelV3Message[];
  callSettings: CallSettings;
  clientTools?: LanguageModelV3FunctionTool[];
  toolChoice?: LanguageModelV3ToolChoice;
  thinking: boolean;
}

function imagePart(block: Extract<AnthropicBlock, { type: 'image' }>): UserPart {
  if (block.source.type === 'base64') return { type: 'file', mediaType: block.source.media_type, data: block.source.data };
  let url: URL;
  try {
    url = new URL(block.source.url);
  } catch {
    throw validationError('image source url is not a URL');
  }
  return { type: 'file', mediaType: 'image/*', data: url };
}

const resultText = (content: Extract<AnthropicBlock, { type: 'tool_result' }>['content']): string =>
  content === undefined ? '' : typeof content === 'string' ? content : content.map((block) => (block.type === 'text' ? block.text : '[image]')).join('\n');

/**
 * Anthropic messages in the engine's terms: a user message's `tool_result` blocks become a tool
 * message (before the rest of that user message), an assistant's `tool_use` blocks tool calls.
 */
function translateMessages(input: MessagesBody['messages']): LanguageModelV3Message[] {
  const messages: LanguageModelV3Message[] = [];
  const toolNames = new Map<string, string>();
  for (const message of input) {
    const blocks: AnthropicBlock[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (message.role === 'assistant') {
      const content: AssistantPart[] = [];
      for (const block of blocks) {
        if (block.type === 'text') content.push({ type: 'text', text: block.text });
        else if (block.type === 'thinking') content.push({ type: 'reasoning', text: block.thinking });
        else if (block.type === 'tool_use') {
          toolNames.set(block.id, block.name);
          content.push({ type: 'tool-call', toolCallId: block.id, toolName: block.name, input: block.input ?? {} });
        }
      }
      messages.push({ role: 'assistant', content });
      continue;
    }
    const results: ToolPart[] = [];
    const content: UserPart[] = [];
    for (const block of blocks) {
      if (block.type === 'text') content.push({ type: 'text', text: block.text });
      else if (block.type === 'image') content.push(imagePart(block));
      else if (block.type === 'tool_result') {
        const toolName = toolNames.get(block.tool_use_id);
        if (!toolName) throw validationError(`tool_result answers tool_use_id ${block.tool_use_id}, which no earlier assistant message used`);
        const value = resultText(block.content);
        results.push({ type: 'tool-result', toolCallId: block.tool_use_id, toolName, output: block.is_error ? { type: 'error-text', value } : { type: 'text', value } });
      } else throw validationError(`a user message cannot hold a ${block.type} block`);
    }
    if (results.length > 0) messages.push({ role: 'tool', content: results });
    if (content.length > 0) messages.push({ role: 'user', content });
  }
  return messages;
}

function translateToolChoice(choice: MessagesBody['tool_choice']): LanguageModelV3ToolChoice | undefined {
  if (!choice) return undefined;
  if (choice.type === 'any') return { type: 'required' };
  if (choice.type === 'tool') return { type: 'tool', toolName: choice.name };
  return { type: choice.type };
}

/** Checks and translates an Anthropic Messages request. */
export function translateMessagesRequest(body: MessagesBody): TranslatedMessagesRequest {
  const system = body.system === undefined ? undefined : typeof body.system === 'string' ? body.system : body.system.map((block) => block.text).join('\n\n');
  const messages = translateMessages(body.messages);
  const clientTools = body.tools?.map(
    (tool): LanguageModelV3FunctionTool => ({
      type: 'function', name: tool.name, description: tool.description, inputSchema: tool.input_schema as LanguageModelV3FunctionTool['inputSchema'],
    }),
  );
  const toolChoice = translateToolChoice(body.tool_choice);
  if (toolChoice?.type === 'tool' && !clientTools?.some((tool) => tool.name === toolChoice.toolName)) {
    throw validationError(`tool_choice names ${toolChoice.toolName}, which is not in tools`);
  }
  return {
    messages: system ? [{ role: 'system', content: system }, ...messages] : messages,
    callSettings: {
      temperature: body.temperature,
      topP: body.top_p,
      topK: body.top_k,
      maxOutputTokens: body.max_tokens,
      stopSequences: body.stop_sequences,
    },
    clientTools: clientTools && clientTools.length > 0 ? clientTools : undefined,
    toolChoice: clientTools && clientTools.length > 0 ? toolChoice : undefined,
    thinking: body.thinking?.type === 'enabled',
  };
}
