import type { IncomingHttpHeaders } from 'node:http';

export type FakeWireFormat = 'openai' | 'anthropic' | 'google' | 'ollama' | 'unknown';
export type FakeRequestKind = 'chat' | 'models' | 'pull' | 'unknown';

export interface RequestRoute {
  format: FakeWireFormat;
  kind: FakeRequestKind;
  /** The model the request names (body `model`, or Google's path), when it names one. */
  model: string | undefined;
  /** Whether the client asked for a streamed answer. */
  isStream: boolean;
}

const googleModelAction = /^\/v1beta\/(.+):(streamGenerateContent|generateContent)$/;

/** Tells a request's wire format and kind from its endpoint, as the real providers' routes do. */
export function routeRequest(method: string, path: string, headers: IncomingHttpHeaders, body: unknown): RequestRoute {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as { model?: unknown; name?: unknown; stream?: unknown };
  const bodyModel = typeof fields.model === 'string' ? fields.model : undefined;
  const asksForStream = fields.stream === true;
  if (method === 'POST' && path === '/v1/chat/completions') return { format: 'openai', kind: 'chat', model: bodyModel, isStream: asksForStream };
  if (method === 'POST' && path === '/v1/messages') return { format: 'anthropic', kind: 'chat', model: bodyModel, isStream: asksForStream };
  const googleMatch = method === 'POST' ? googleModelAction.exec(path) : null;
  if (googleMatch !== null) {
    const model = (googleMatch[1] ?? '').replace(/^models\//, '');
    return { format: 'google', kind: 'chat', model, isStream: googleMatch[2] === 'streamGenerateContent' };
  }
  if (method === 'GET' && path === '/v1/models') {
    return { format: headers['anthropic-version'] === undefined ? 'openai' : 'anthropic', kind: 'models', model: undefined, isStream: false };
  }
  if (method === 'GET' && path === '/v1beta/models') return { format: 'google', kind: 'models', model: undefined, isStream: false };
  if (method === 'GET' && path === '/api/tags') return { format: 'ollama', kind: 'models', model: undefined, isStream: false };
  if (method === 'POST' && path === '/api/pull') {
    // Older Ollama clients name the model `name`; Ollama streams pull progress unless told not to.
    const model = bodyModel ?? (typeof fields.name === 'string' ? fields.name : undefined);
    return { format: 'ollama', kind: 'pull', model, isStream: fields.stream !== false };
  }
  return { format: 'unknown', kind: 'unknown', model: bodyModel, isStream: false };
}
