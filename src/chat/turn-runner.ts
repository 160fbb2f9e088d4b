import type {
  LanguageModelV3CallOptions,
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3ToolChoice,
  SharedV3ProviderOptions,
} from '@ai-sdk/provider';
import type { ResolvedModel } from '../providers/resolved-model.ts';
import type { ToolCallContext, ToolDefinition, ToolResult } from '../tools/tool-registry.ts';
import { addUsage, emptyUsage, type FinishReason, type TokenUsage, type TurnOutcome } from './chat-event.ts';
import { callModel, ModelCallError, type ModelCallHooks, type RetrySettings } from './model-call.ts';
import type { ModelStreamOutput, ToolCallRequest } from './model-stream.ts';
import type { TokenCounter } from './token-counter.ts';

export interface TurnRunSettings extends RetrySettings {
  maxToolIterations: number;
}

export interface TurnRunInput {
  resolved: ResolvedModel;
  messages: LanguageModelV3Message[];
  /** Our count of the prompt, used when the provider reports no usage. */
  promptTokens: number;
  tools: ToolDefinition[];
  toolContext: Omit<ToolCallContext, 'toolCallId' | 'signal'>;
  thinking: boolean;
  /** Sampling and output settings sent with every model call of the turn. */
  callSettings?: CallSettings;
  /**
   * Tools the client runs itself (OpenAI and Anthropic surfaces): offered to the model, never
   * executed here. A call to one ends the turn with finish reason `tool-calls`.
   */
  clientTools?: LanguageModelV3FunctionTool[];
  toolChoice?: LanguageModelV3ToolChoice;
  /** Provider options merged over the model's own (thinking) ones. */
  providerOptions?: SharedV3ProviderOptions;
  /**
   * Called for a tool call the turn did not offer (unknown, above the user's level, or not
   * enabled): records the refusal and returns the message handed to the model instead of a result.
   */
  refuseTool?: (toolName: string) => Promise<string>;
  signal: AbortSignal;
}

/** The per-call settings a client or an agent may set. */
export interface CallSettings {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseFormat?: LanguageModelV3CallOptions['responseFormat'];
}

function mergeProviderOptions(
  base: SharedV3ProviderOptions | undefined,
  extra: SharedV3ProviderOptions | undefined,
): SharedV3ProviderOptions | undefined {
  if (!extra) return base;
  const merged: SharedV3ProviderOptions = { ...base };
  for (const [provider, options] of Object.entries(extra)) merged[provider] = { ...merged[provider], ...options };
  return merged;
}

export interface TurnRunResult {
  outcome: TurnOutcome;
  finishReason: FinishReason;
  usage: TokenUsage;
  error?: { code: string; message: string };
  /** The model that answered (a fallback, if the first one failed). */
  resolved: ResolvedModel;
}

/** Caps what a tool hands back to the model, so one huge result cannot blow the context. */
const maxToolOutputCharacters = 100_000;

function functionTools(tools: ToolDefinition[]): LanguageModelV3FunctionTool[] {
  return tools.map((tool) => ({ type: 'function', name: tool.name, description: tool.description, inputSchema: tool.inputSchema }));
}

async function runTool(
  tool: ToolDefinition | undefined,
  call: ToolCallRequest,
  context: ToolCallContext,
  refuse?: (toolName: string) => Promise<string>,
): Promise<ToolResult> {
  // Only offered tools run; the level is checked again here so no path can skip it.
  if (!tool || tool.permissionLevel > context.permissionLevel) {
    const output = refuse ? await refuse(call.toolName) : `Tool "${call.toolName}" is not available in this conversation.`;
    return { output, isError: true };
  }
  let input: unknown;
  try {
    input = call.input.trim() === '' ? {} : JSON.parse(call.input);
  } catch {
    return { output: `The arguments for ${call.toolName} are not valid JSON.`, isError: true };
  }
  try {
    const result = await tool.execute(input, context);
    if (result.output.length <= maxToolOutputCharacters) return result;
    return { ...result, output: `${result.output.slice(0, maxToolOutputCharacters)}\n…[truncated]` };
  } catch (error) {
    if (context.signal.aborted) throw error;
    return { output: `${call.toolName} failed: ${error instanceof Error ? error.message : String(error)}`, isError: true };
  }
}

function assistantMessage(output: ModelStreamOutput): LanguageModelV3Message {
  const content: Extract<LanguageModelV3Message, { role: 'assistant' }>['content'] = [];
  for (const reasoning of output.reasoning) {
    content.push({ type: 'reasoning', text: reasoning.text, providerOptions: reasoning.providerMetadata });
  }
  if (output.text !== '') content.push({ type: 'text', text: output.text });
  for (const call of output.toolCalls) {
    let input: unknown = {};
    try {
      input = call.input.trim() === '' ? {} : JSON.parse(call.input);
    } catch {
      input = {};
    }
    content.push({ type: 'tool-call', toolCallId: call.toolCallId, toolName: call.toolName, input });
  }
  return { role: 'assistant', content };
}

/**
 * Runs the model/tool loop of one turn: call the model, run the tools it asks for, feed the
 * results back, until it answers without tools or the iteration cap is reached. Everything it
 * produces goes out through `hooks.emit`; it never touches storage or a transport.
 */
export async function runTurn(
  input: TurnRunInput,
  settings: TurnRunSettings,
  hooks: ModelCallHooks,
  counter: TokenCounter,
): Promise<TurnRunResult> {
  const messages = [...input.messages];
  const offered = [...functionTools(input.tools), ...(input.clientTools ?? [])];
  const toolsByName = new Map(input.tools.map((tool) => [tool.name, tool]));
  const clientToolNames = new Set((input.clientTools ?? []).map((tool) => tool.name));
  let usage = emptyUsage();
  let resolved = input.resolved;
  let promptTokens = input.promptTokens;

  const optionsFor = (model: ResolvedModel): LanguageModelV3CallOptions => ({
    prompt: messages,
    ...(offered.length > 0 ? { tools: offered, toolChoice: input.toolChoice ?? { type: 'auto' } } : {}),
    ...input.callSettings,
    maxOutputTokens: input.callSettings?.maxOutputTokens ?? model.maxOutputTokens,
    providerOptions: mergeProviderOptions(model.thinkingOptions(input.thinking), input.providerOptions),
  });

  try {
    for (let iteration = 1; ; iteration += 1) {
      input.signal.throwIfAborted();
      const call = await callModel(resolved, optionsFor, settings, hooks, input.signal);
      resolved = call.resolved;
      const { output } = call;
      let callUsage = output.usage;
      if (!callUsage) {
        const completionTokens = await counter.count([...output.producedPieces, ...output.toolCalls.map((tool) => tool.input)]);
        callUsage = { ...emptyUsage(), promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, estimated: true };
      }
      usage = addUsage(usage, callUsage);
      hooks.emit({ type: 'usage', usage: callUsage });

      if (output.toolCalls.length === 0) {
        const outcome = output.finishReason === 'length' ? 'incomplete' : 'complete';
        return { outcome, finishReason: output.finishReason, usage, resolved };
      }
      if (output.toolCalls.some((request) => clientToolNames.has(request.toolName))) {
        // The client runs these: hand the calls over and end the turn, as OpenAI's API does.
        for (const request of output.toolCalls) {
          hooks.emit({ type: 'tool-call', toolCallId: request.toolCallId, toolName: request.toolName, input: request.input });
        }
        return { outcome: 'complete', finishReason: 'tool-calls', usage, resolved };
      }
      if (iteration >= settings.maxToolIterations) {
        return {
          outcome: 'incomplete', finishReason: 'tool-calls', usage, resolved,
          error: { code: 'TOOL_LIMIT', message: `stopped after ${settings.maxToolIterations} model calls; the model kept asking for tools` },
        };
      }

      messages.push(assistantMessage(output));
      const results: Extract<LanguageModelV3Message, { role: 'tool' }>['content'] = [];
      for (const request of output.toolCalls) {
        hooks.emit({ type: 'tool-call', toolCallId: request.toolCallId, toolName: request.toolName, input: request.input });
        const result = await runTool(toolsByName.get(request.toolName), request, {
          ...input.toolContext,
          toolCallId: request.toolCallId,
          signal: input.signal,
        }, input.refuseTool);
        // A tool that ignores its signal must not hide a stop.
        input.signal.throwIfAborted();
        hooks.emit({ type: 'tool-result', toolCallId: request.toolCallId, toolName: request.toolName, ...result });
        results.push({ type: 'tool-result', toolCallId: request.toolCallId, toolName: request.toolName, output: { type: 'text', value: result.output } });
        promptTokens += await counter.count(request.input + result.output);
      }
      messages.push({ role: 'tool', content: results });
      promptTokens += callUsage.completionTokens;
    }
  } catch (error) {
    if (input.signal.aborted) return { outcome: 'cancelled', finishReason: 'cancelled', usage, resolved };
    if (error instanceof ModelCallError) {
      return { outcome: 'failed', finishReason: 'error', usage, resolved, error: { code: error.failure.code, message: error.failure.message } };
    }
    throw error;
  }
}
