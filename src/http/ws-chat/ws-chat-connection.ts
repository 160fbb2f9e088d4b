import type { WebSocket } from 'ws';
import type { ChatService } from '../../chat/chat-service.ts';
import type { DiagnosticLog } from '../../diagnostics.ts';
import { AppError } from '../../errors/app-error.ts';
import { StellarWsEncoder, type StellarFrame } from '../../streaming/stellar-ws-encoder.ts';
import { toAppError } from '../error-handler.ts';

export interface ChatSocketContext {
  chat: ChatService;
  log: DiagnosticLog;
  userId: string;
  apiKeyId: string | null;
  permissionLevel: number;
  conversationId: string;
  /** The model asked for on the URL, used when a message names none. */
  model?: string;
  heartbeatMs: number;
}

/** A resume cursor: `<message id>:<seq>`, as frames carry it in `id`. */
export function parseCursor(value: string | undefined): { messageId: string; afterSeq: number } | undefined {
  if (!value) return undefined;
  const match = /^(.+):(\d+)$/.exec(value);
  if (!match) throw new AppError('VALIDATION_ERROR', 'last_event_id must look like <message id>:<seq>, as frames carry it in `id`');
  return { messageId: match[1]!, afterSeq: Number(match[2]) };
}

const highWaterBytes = 1024 * 1024;
const maxContentCharacters = 200_000;

/**
 * One StellarByte chat socket: `chat.message` starts a turn on the durable engine and its frames
 * follow; `chat.stop` stops it; `chat.resume` (or the URL cursor) replays a turn after a cursor.
 * A dropped socket only stops the reading: the turn goes on and is stored.
 */
export function serveChatSocket(socket: WebSocket, context: ChatSocketContext, resume?: { messageId: string; afterSeq: number }): void {
  let following: { turnId: string; reading: AbortController } | undefined;
  // Set while a turn is being started, so a second quick chat.message cannot start another.
  let starting = false;
  let alive = true;

  const send = async (frame: StellarFrame) => {
    if (socket.readyState !== socket.OPEN) return;
    const sent = new Promise<void>((resolve) => socket.send(JSON.stringify(frame), () => resolve()));
    if (socket.bufferedAmount > highWaterBytes) await sent;
  };
  const sendError = (error: unknown, withStop: boolean) => {
    const appError = toAppError(error);
    if (appError.status >= 500) context.log.error({ err: error }, 'a chat socket request failed');
    const type = appError.status >= 500 ? 'server_error' : 'invalid_request_error';
    void send({ event: 'error', data: { type, code: appError.code, message: appError.message } });
    if (withStop) void send({ event: 'message_stop', data: {} });
  };

  async function follow(turnId: string, afterSeq: number) {
    const reading = new AbortController();
    following = { turnId, reading };
    try {
      const events = await context.chat.events(context.userId, turnId, afterSeq, reading.signal, { includeEarlier: true });
      const encoder = new StellarWsEncoder(afterSeq);
      for await (const event of events) {
        for (const frame of encoder.push(event)) await send(frame);
      }
    } catch (error) {
      if (!reading.signal.aborted) sendError(error, true);
    } finally {
      if (following?.reading === reading) following = undefined;
    }
  }

  async function startTurn(frame: Record<string, unknown>) {
    const content = frame.content;
    if (typeof content !== 'string' || content.trim() === '') throw new AppError('VALIDATION_ERROR', 'chat.message needs a non-empty `content` string');
    if (content.length > maxContentCharacters) throw new AppError('PAYLOAD_TOO_LARGE', `content is longer than ${maxContentCharacters} characters`);
    if (following || starting) throw new AppError('CONFLICT', 'a reply is still being generated; wait for message_stop or send chat.stop');
    const model = typeof frame.model === 'string' ? frame.model : context.model;
    starting = true;
    try {
      const turn = await context.chat.start({
        userId: context.userId, apiKeyId: context.apiKeyId, permissionLevel: context.permissionLevel,
        conversationId: context.conversationId, content, model, surface: 'stellarbyte',
        thinkingEnabled: typeof frame.thinking === 'boolean' ? frame.thinking : undefined,
      });
      void follow(turn.turnId, 0);
    } finally {
      starting = false;
    }
  }

  socket.on('message', (data, isBinary) => {
    let frame: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      frame = parsed as Record<string, unknown>;
    } catch {
      sendError(new AppError('VALIDATION_ERROR', 'frames must be JSON objects like {"type":"chat.message","content":"..."}'), false);
      return;
    }
    switch (frame.type) {
      case 'chat.message':
        startTurn(frame).catch((error) => sendError(error, true));
        break;
      case 'chat.stop':
        if (following) context.chat.stop(context.userId, following.turnId).catch((error) => sendError(error, false));
        break;
      case 'chat.resume': {
        try {
          const cursor = parseCursor(typeof frame.last_event_id === 'string' ? frame.last_event_id : undefined);
          const messageId = typeof frame.message_id === 'string' ? frame.message_id : cursor?.messageId;
          if (!messageId) throw new AppError('VALIDATION_ERROR', 'chat.resume needs `last_event_id` (<message id>:<seq>) or `message_id`');
          following?.reading.abort();
          void follow(messageId, cursor?.afterSeq ?? 0);
        } catch (error) {
          sendError(error, false);
        }
        break;
      }
      case 'ping':
        void send({ event: 'pong', data: {} });
        break;
      default:
        sendError(new AppError('VALIDATION_ERROR', `unknown frame type ${JSON.stringify(frame.type)}; send chat.message, chat.stop, chat.resume or ping`), false);
    }
  });

  const heartbeat = setInterval(() => {
    if (!alive) {
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, context.heartbeatMs);
  heartbeat.unref();
  socket.on('pong', () => {
    alive = true;
  });
  socket.on('close', () => {
    clearInterval(heartbeat);
    following?.reading.abort();
  });
  // Socket errors go to the WebSocket plugin's error handler (ws-upgrade.ts), which logs them and ends the socket.

  void send({ event: 'session_start', data: { session_id: context.conversationId } });
  if (resume) void follow(resume.messageId, resume.afterSeq);
}
