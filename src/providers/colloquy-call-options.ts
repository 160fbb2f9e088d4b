import { z } from 'zod';

/**
 * What the chat engine tells every model call about the turn it serves
 * (`providerOptions.colloquy`); stateful platforms use it to find their own conversation.
 */
export const colloquyCallOptionsSchema = z
  .object({ conversationId: z.string().optional(), userId: z.string().optional(), turnId: z.string().optional() })
  .loose();

export type ColloquyCallOptions = z.infer<typeof colloquyCallOptionsSchema>;

export function colloquyOptionsOf(providerOptions: Record<string, unknown> | undefined): ColloquyCallOptions {
  const parsed = colloquyCallOptionsSchema.safeParse(providerOptions?.colloquy ?? {});
  return parsed.success ? parsed.data : {};
}
