export { startFakeUpstream, type FakeUpstream, type RecordedRequest } from './fake-upstream.ts';
export {
  answer,
  disconnect,
  dropConnection,
  endWithoutFinish,
  garbageLine,
  httpError,
  invalidJson,
  pause,
  rateLimited,
  reasoning,
  stall,
  streamError,
  text,
  toolCall,
  type AnswerOptions,
  type FakeAnswer,
  type FakeContentPart,
  type FakeDroppedConnection,
  type FakeFinishReason,
  type FakeGate,
  type FakeHttpError,
  type FakePart,
  type FakeReply,
  type FakeUsage,
} from './fake-reply.ts';
export type { FakePullBehavior } from './ollama-format.ts';
export { echoedCredential } from './reply-player.ts';
export type { FakeRequestKind, FakeWireFormat } from './request-route.ts';
