import type { AddressInfo } from 'node:net';
import type { App } from '../../src/http/app.ts';
import { rawRequest, sseFrames, type RawResponse } from './raw-http.ts';

/**
 * LLMChat's React web app's requests, built the way its `frontend/src/services/api.ts` and
 * `hooks/useChat.ts` build them: axios calls (JSON, axios's Accept header) go through `inject`;
 * `fetch` streams go over a real socket with the browser's keep-alive, so a test sees whether the
 * server closes the connection after `end`.
 */
export interface WebAppAttachment {
  id: string;
  url: string;
  name: string;
  size: number;
  mimeType: string;
}

export interface WebAppSend {
  chatId?: string;
  responseChatItemId?: string;
  attachments?: WebAppAttachment[];
  detail?: boolean;
  variables?: Record<string, unknown>;
}

/** Axios's headers; it drops the instance's `Content-Type` when a request has no body. */
const axiosHeaders = (token: string, hasBody: boolean) => ({
  accept: 'application/json, text/plain, */*',
  ...(hasBody ? { 'content-type': 'application/json' } : {}),
  authorization: `Bearer ${token}`,
});

/** `useChat.sendMessage`'s message list: only the newest message, with its attachments in `metadata`. */
function chatMessages(content: string, attachments?: WebAppAttachment[]) {
  const now = Date.now();
  return [{ id: `${now}-user`, role: 'user', content, timestamp: now, metadata: { ...(attachments ? { attachments } : {}) } }];
}

/** `useChat`'s id for the answer placeholder, sent as `responseChatItemId`. */
export const responseId = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

function payload(agentId: string, content: string, stream: boolean, options: WebAppSend) {
  return {
    agentId,
    messages: chatMessages(content, options.attachments),
    stream,
    ...(options.chatId ? { chatId: options.chatId } : {}),
    ...(typeof options.detail === 'boolean' ? { detail: options.detail } : {}),
    ...(options.variables ? { variables: options.variables } : {}),
    ...(options.responseChatItemId ? { responseChatItemId: options.responseChatItemId } : {}),
    ...(options.attachments && options.attachments.length ? { attachments: options.attachments } : {}),
  };
}

export function webApp(app: App, token: string) {
  const port = () => (app.server.address() as AddressInfo).port;
  // fetch's headers as the app sets them; a browser keeps the connection alive unless the server closes it.
  const streamHeaders = (hasBody: boolean) => ({
    ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
    Accept: 'text/event-stream',
    Authorization: `Bearer ${token}`,
    Connection: 'keep-alive',
  });
  const streamed = async (method: string, path: string, body?: unknown): Promise<RawResponse & { frames: Array<[string, any]> }> => {
    const response = await rawRequest(port(), {
      method, path, headers: streamHeaders(body !== undefined), ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { ...response, frames: sseFrames(response.body) as Array<[string, any]> };
  };
  const axios = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) =>
    app.inject({ method, url, headers: axiosHeaders(token, body !== undefined), ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

  return {
    /** `chatService.sendStreamMessage` (fetch). */
    sendStream: (agentId: string, content: string, options: WebAppSend = {}) =>
      streamed('POST', '/api/chat/completions', payload(agentId, content, true, options)),
    /** `chatService.sendMessage` (axios). */
    send: (agentId: string, content: string, options: WebAppSend = {}) => axios('POST', '/api/chat/completions', payload(agentId, content, false, options)),
    /** `chatService.init` (axios: `params` with `stream: false`). */
    init: (agentId: string, chatId?: string) =>
      axios('GET', `/api/chat/init?appId=${encodeURIComponent(agentId)}${chatId ? `&chatId=${encodeURIComponent(chatId)}` : ''}&stream=false`),
    /** `chatService.initStream` (fetch). */
    initStream: (agentId: string, chatId?: string) => {
      const search = new URLSearchParams({ appId: agentId, stream: 'true' });
      if (chatId) search.set('chatId', chatId);
      return streamed('GET', `/api/chat/init?${search.toString()}`);
    },
    listHistories: (agentId: string) => axios('GET', `/api/chat/history?agentId=${encodeURIComponent(agentId)}`),
    getHistoryDetail: (agentId: string, chatId: string) => axios('GET', `/api/chat/history/${chatId}?agentId=${encodeURIComponent(agentId)}`),
    deleteHistory: (agentId: string, chatId: string) => axios('DELETE', `/api/chat/history/${chatId}?agentId=${encodeURIComponent(agentId)}`),
    clearHistories: (agentId: string) => axios('DELETE', `/api/chat/history?agentId=${encodeURIComponent(agentId)}`),
    /** `chatService.retryMessage` (axios). */
    retry: (agentId: string, chatId: string, dataId: string) => axios('POST', `/api/chat/history/${chatId}/retry`, { agentId, dataId, stream: false, detail: true }),
    /** `chatService.retryStreamMessage` (fetch). */
    retryStream: (agentId: string, chatId: string, dataId: string) =>
      streamed('POST', `/api/chat/history/${chatId}/retry`, { agentId, dataId, stream: true, detail: true }),
    /** `chatService.updateUserFeedback`. */
    feedback: (agentId: string, chatId: string, dataId: string, type: 'good' | 'bad', cancel = false) =>
      axios('POST', '/api/chat/feedback', {
        agentId, chatId, dataId,
        ...(type === 'good' && !cancel ? { userGoodFeedback: 'yes' } : {}),
        ...(type === 'bad' && !cancel ? { userBadFeedback: 'yes' } : {}),
      }),
    /** `uploadAttachment`: the file as base64 JSON. */
    upload: (name: string, mimeType: string, bytes: Uint8Array) =>
      axios('POST', '/api/chat/attachments', { filename: name, mimeType, size: bytes.byteLength, data: Buffer.from(bytes).toString('base64'), source: 'upload' }),
  };
}

export type WebApp = ReturnType<typeof webApp>;
