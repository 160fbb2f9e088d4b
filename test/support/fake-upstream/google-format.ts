import type { FakeContentPart, FakeFinishReason, FakeUsage } from './fake-reply.ts';
import { parsedArguments, serverSentEvent, type EncoderContext, type StreamEnding, type WireEncoder } from './wire-format.ts';

/**
 * Google Gemini (`POST /v1beta/models/{model}:streamGenerateContent?alt=sse` and `:generateContent`):
 * every chunk is a whole GenerateContentResponse. The stream has no terminator; it just ends.
 */
export function createGoogleEncoder(context: EncoderContext): WireEncoder {
  const responseId = `fake-response-${context.sequence}`;
  const response = (candidate: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    candidates: [{ ...candidate, index: 0 }],
    ...extra,
    modelVersion: context.model,
    responseId,
  });

  return {
    streamPart(part) {
      return serverSentEvent(response({ content: { role: 'model', parts: [googlePart(part)] } }));
    },
    streamEnd({ finishReason, usage }: StreamEnding) {
      const candidate = { content: { role: 'model', parts: [{ text: '' }] }, finishReason: googleFinishReason(finishReason) };
      return serverSentEvent(response(candidate, usageMetadata(usage)));
    },
    streamError(message) {
      return serverSentEvent({ error: { code: 500, message, status: 'INTERNAL' } });
    },
    invalidJsonEvent() {
      return 'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"cut off\n\n';
    },
    completeBody(parts, finishReason, usage) {
      const candidate = { content: { role: 'model', parts: mergedParts(parts) }, finishReason: googleFinishReason(finishReason) };
      return response(candidate, usageMetadata(usage));
    },
    errorBody(status, message) {
      return { error: { code: status, message, status: googleErrorStatus(status) } };
    },
  };
}

function googlePart(part: FakeContentPart): Record<string, unknown> {
  if (part.type === 'text') return { text: part.text };
  if (part.type === 'reasoning') return { text: part.text, thought: true };
  // Gemini sends a function call whole, never in pieces, and gives it an id only sometimes.
  return { functionCall: { ...(part.id === undefined ? {} : { id: part.id }), name: part.name, args: parsedArguments(part) } };
}

function mergedParts(parts: FakeContentPart[]): Array<Record<string, unknown>> {
  const merged: Array<Record<string, unknown>> = [];
  for (const part of parts) {
    const last = merged.at(-1);
    const isThought = part.type === 'reasoning';
    if (part.type !== 'tool-call' && last !== undefined && typeof last.text === 'string' && (last.thought === true) === isThought) {
      last.text = `${last.text}${part.text}`;
    } else {
      merged.push(googlePart(part));
    }
  }
  return merged;
}

// Gemini counts thoughts apart from the candidates, where OpenAI includes them in completion tokens.
function usageMetadata(usage: FakeUsage | undefined): Record<string, unknown> {
  if (usage === undefined) return {};
  const thoughts = usage.reasoningTokens ?? 0;
  return {
    usageMetadata: {
      promptTokenCount: usage.promptTokens,
      candidatesTokenCount: usage.completionTokens - thoughts,
      ...(usage.reasoningTokens === undefined ? {} : { thoughtsTokenCount: thoughts }),
      totalTokenCount: usage.promptTokens + usage.completionTokens,
    },
  };
}

function googleFinishReason(finishReason: FakeFinishReason): string {
  // Gemini ends a function-calling turn with STOP too; clients tell by the function calls.
  return finishReason === 'length' ? 'MAX_TOKENS' : 'STOP';
}

function googleErrorStatus(status: number): string {
  const statuses: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    429: 'RESOURCE_EXHAUSTED',
    500: 'INTERNAL',
    503: 'UNAVAILABLE',
    504: 'DEADLINE_EXCEEDED',
  };
  return statuses[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
}

/** `GET /v1beta/models` in Google's shape; names get the `models/` prefix Gemini uses. */
export function googleModelList(models: string[]): unknown {
  return {
    models: models.map((id) => ({
      name: id.startsWith('models/') ? id : `models/${id}`,
      version: '001',
      displayName: id,
      inputTokenLimit: 1_048_576,
      outputTokenLimit: 65_536,
      supportedGenerationMethods: ['generateContent', 'countTokens'],
    })),
  };
}
