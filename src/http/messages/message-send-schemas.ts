import { z } from 'zod';
import { messageViewSchema } from './message-view.ts';

/** Luxx's send body, plus an optional provider and model for this turn only. */
export const sendMessageBodySchema = z.object({
  conversation_id: z.string().min(1).max(256),
  content: z.string().trim().min(1, 'content must not be empty').max(1_000_000),
  thinking_enabled: z.boolean().optional(),
  /** Tool names offered to the model; tools above the caller's permission level are left out. */
  enabled_tools: z.array(z.string().min(1).max(128)).max(64).optional(),
  provider_id: z.string().min(1).max(256).optional(),
  model: z.string().min(1).max(256).optional(),
});

export const sendMessageHeadersSchema = z.object({
  /** Repeating a request with the same key returns the same turn and calls the model once. */
  'idempotency-key': z.string().min(1).max(255).optional(),
});

export const sentMessagesSchema = z.object({
  user_message: messageViewSchema,
  assistant_message: messageViewSchema,
});

export const turnParamsSchema = z.object({ id: z.string().min(1).max(256) });

export const resumeHeadersSchema = z.object({ 'last-event-id': z.string().max(32).optional() });
export const resumeQuerySchema = z.object({ last_event_id: z.string().max(32).optional() });

export const stopResultSchema = z.object({
  /** False when the turn had already ended. */
  stopped: z.boolean(),
});

/** Documentation only: these routes answer `text/event-stream`, written frame by frame. */
export const eventStreamSchema = z
  .string()
  .describe(
    'text/event-stream. `process_step` frames ({step}), then `done` ({message_id, token_count, usage, status}) or `error` ({content, code, message_id}). Every frame has an `id`; reconnect with Last-Event-ID to resume.',
  );
