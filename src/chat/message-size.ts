import { AppError } from '../errors/app-error.ts';

/**
 * Refuses a message whose content is longer than the configured cap
 * (`chat.maxMessageCharacters`), before anything is stored, counted or sent upstream: one
 * request may not make the server store and process megabytes of text as a single message.
 */
export function checkMessageSizes(texts: Iterable<string | null | undefined>, maxCharacters: number): void {
  for (const text of texts) {
    if (text && text.length > maxCharacters) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `a message may hold at most ${maxCharacters} characters (chat.maxMessageCharacters, COLLOQUY_MAX_MESSAGE_CHARS); this one has ${text.length}: shorten it or attach it as a file`,
      );
    }
  }
}
