import type { FakeContentPart, FakeFinishReason, FakeUsage } from './fake-reply.ts';

/** How one provider's wire format renders a scripted reply; one encoder per request, since streams carry state. */
export interface WireEncoder {
  /** Text for one content part of a stream: one or more complete events, opening the message first if needed. */
  streamPart(part: FakeContentPart): string;
  /** The closing events: finish reason, usage when given, and the terminator unless left out. */
  streamEnd(ending: StreamEnding): string;
  /** The provider's in-stream error event. */
  streamError(message: string): string;
  /** An event whose JSON is cut off. */
  invalidJsonEvent(): string;
  /** The whole answer as one JSON body, for a non-streamed request. */
  completeBody(parts: FakeContentPart[], finishReason: FakeFinishReason, usage: FakeUsage | undefined): unknown;
  /** The format's error body for an HTTP error status. */
  errorBody(status: number, message: string): unknown;
}

export interface StreamEnding {
  finishReason: FakeFinishReason;
  usage: FakeUsage | undefined;
  includeTerminator: boolean;
}

export interface EncoderContext {
  /** The model the request named, echoed back as providers do. */
  model: string;
  /** The parsed request body, for options such as OpenAI's `stream_options.include_usage`. */
  requestBody: unknown;
  /** The scripted usage, which some formats announce before the content. */
  usage: FakeUsage | undefined;
  /** Distinguishes ids across replies of one fake. */
  sequence: number;
}

export function serverSentEvent(data: unknown, event?: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;
}

export function joinedArguments(part: { argumentPieces: string[] }): string {
  return part.argumentPieces.join('');
}

/**
 * Tool arguments for formats that carry them as objects. Arguments that are not JSON go out as the
 * raw text: no provider does that, but it is the nearest to a model emitting broken arguments.
 */
export function parsedArguments(part: { argumentPieces: string[] }): unknown {
  const json = joinedArguments(part);
  if (json === '') return {};
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}

export function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
