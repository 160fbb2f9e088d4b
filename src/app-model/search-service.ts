import { validationError } from '../errors/app-error.ts';
import type { ConversationHit, MessageHit, SearchRepository } from '../storage/repositories/search-repository.ts';

export type SearchScope = 'all' | 'messages' | 'conversations';

export interface SearchResults {
  terms: string[];
  messages: { items: MessageHit[]; total: number };
  conversations: { items: ConversationHit[]; total: number };
}

const maxTerms = 16;

/** Splits what the user typed into words; quotes and operators are just characters. */
export function searchTermsOf(query: string): string[] {
  const terms = query
    .split(/\s+/u)
    .map((term) => term.trim())
    // A term with no letter or digit matches nothing in either index, so it is dropped.
    .filter((term) => /[\p{L}\p{N}]/u.test(term));
  if (terms.length === 0) throw validationError('q must contain at least one word (letters or digits)');
  if (terms.length > maxTerms) throw validationError(`q may contain at most ${maxTerms} words`);
  return terms;
}

/** Search across the caller's conversation titles and message contents. */
export function createSearchService(search: SearchRepository) {
  return {
    async search(userId: string, query: string, scope: SearchScope, window: { offset: number; limit: number }): Promise<SearchResults> {
      const terms = searchTermsOf(query);
      const none = { items: [], total: 0 };
      const [messages, conversations] = await Promise.all([
        scope === 'conversations' ? none : search.messages(userId, { terms, ...window }),
        scope === 'messages' ? none : search.conversations(userId, { terms, ...window }),
      ]);
      return { terms, messages, conversations };
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
