/**
 * Where a stateful platform's own conversation ids are kept, keyed by our conversation and the
 * provider that issued them (Dify gives each conversation an id that the next turn must send).
 */
export interface PlatformConversationStore {
  find(conversationId: string, providerId: string): Promise<string | undefined>;
  save(conversationId: string, providerId: string, externalId: string): Promise<void>;
}
