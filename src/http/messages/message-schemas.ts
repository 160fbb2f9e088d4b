import { z } from 'zod';
import { messageViewSchema } from './message-view.ts';

const conversationId = z.string().min(1).max(256);
const limit = z.coerce.number().int().min(1).max(1000).default(100);

/** Luxx's full spec: `GET /api/messages?conversation_id=&limit=`. */
export const messageListQuerySchema = z.object({ conversation_id: conversationId, limit });

/** Luxx's short spec: `GET /api/messages/{conversation_id}?limit=`. */
export const messageListParamsSchema = z.object({ conversationId });
export const messageLimitQuerySchema = z.object({ limit });

export const messageParamsSchema = z.object({ id: z.string().min(1).max(256) });

export const messageListDataSchema = z.object({
  messages: z.array(messageViewSchema),
  title: z.string(),
  /** The conversation's first user message, whatever page is shown; null before there is one. */
  first_message: z.string().nullable(),
});
