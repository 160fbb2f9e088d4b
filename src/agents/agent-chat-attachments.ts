import type { LanguageModelV3FilePart, LanguageModelV3Message, LanguageModelV3TextPart } from '@ai-sdk/provider';
import { Buffer } from 'node:buffer';
import type { PromptFile } from '../files/prompt-files.ts';

export type { PromptFile };

/** The part of the files service chat needs; it answers NOT_FOUND for ids the user does not own. */
export interface PromptFiles {
  readForPrompt(userId: string, fileIds: string[]): Promise<PromptFile[]>;
}

/** An attachment as LLMChat's web app sends it (`{id}` or its upload answer), and as it is kept on the message. */
export interface AttachmentRef {
  id: string;
  name?: string;
  mimeType?: string;
  size?: number;
  url?: string;
}

/** The refs to read, each id once, in the order sent. */
export function uniqueRefs(refs: AttachmentRef[]): AttachmentRef[] {
  const seen = new Set<string>();
  return refs.filter((ref) => (seen.has(ref.id) ? false : (seen.add(ref.id), true)));
}

/** What is kept on the user message, so a retry can read the same files again. */
export const storedRefs = (files: PromptFile[]): AttachmentRef[] =>
  files.map((file) => ({ id: file.id, name: file.name, mimeType: file.mimeType, size: file.data.byteLength }));

/** Stored refs read back from a message's metadata; anything malformed is left out. */
export function refsFromMetadata(metadata: Record<string, unknown>): AttachmentRef[] {
  const value = metadata.attachments;
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) =>
    entry !== null && typeof entry === 'object' && typeof (entry as { id?: unknown }).id === 'string' ? [{ id: (entry as { id: string }).id }] : [],
  );
}

/**
 * The user message of a turn with files: its text, then images as file parts and text-like files
 * as text parts naming the file. Images travel as base64, which every adapter accepts and which
 * keeps the request hash (Idempotency-Key) cheap to compute.
 */
export function userMessageWithFiles(content: string, files: PromptFile[]): LanguageModelV3Message {
  const parts: Array<LanguageModelV3TextPart | LanguageModelV3FilePart> = [];
  if (content.trim() !== '') parts.push({ type: 'text', text: content });
  for (const file of files) {
    if (file.kind === 'image') {
      parts.push({ type: 'file', mediaType: file.mimeType, filename: file.name, data: Buffer.from(file.data).toString('base64') });
    } else {
      const text = file.text ?? Buffer.from(file.data).toString('utf8');
      parts.push({ type: 'text', text: `Attached file "${file.name}" (${file.mimeType}):\n\n${text}` });
    }
  }
  return { role: 'user', content: parts };
}
