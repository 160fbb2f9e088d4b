import { validationError } from '../errors/app-error.ts';

/** A file ready to go into a model's prompt: an image part, or text. */
export interface PromptFile {
  id: string;
  name: string;
  mimeType: string;
  kind: 'image' | 'text';
  data: Uint8Array;
  /** Text files only: the UTF-8 text, cut at the configured length with a note saying so. */
  text?: string;
  /** Text files only: whether `text` was cut. */
  truncated?: boolean;
}

const promptImageTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

const textApplicationTypes = new Set([
  'application/json', 'application/x-ndjson', 'application/xml', 'application/javascript', 'application/x-javascript',
  'application/typescript', 'application/x-typescript', 'application/x-sh', 'application/x-shellscript',
  'application/x-python', 'application/x-python-code', 'application/sql', 'application/x-sql', 'application/yaml',
  'application/x-yaml', 'application/toml', 'application/x-toml', 'application/csv', 'application/graphql',
  'application/x-httpd-php', 'application/x-latex', 'application/x-tex', 'image/svg+xml',
]);

/** Names that are text whatever type the browser guessed (often application/octet-stream). */
const textExtensions = new Set([
  'txt', 'text', 'md', 'markdown', 'mdx', 'csv', 'tsv', 'json', 'jsonl', 'ndjson', 'yaml', 'yml', 'toml', 'ini', 'cfg',
  'conf', 'env', 'properties', 'xml', 'html', 'htm', 'css', 'scss', 'sass', 'less', 'js', 'mjs', 'cjs', 'jsx', 'ts',
  'mts', 'cts', 'tsx', 'vue', 'svelte', 'py', 'pyi', 'ipynb', 'rb', 'go', 'rs', 'java', 'kt', 'kts', 'scala', 'swift',
  'c', 'h', 'cc', 'cpp', 'cxx', 'hpp', 'hh', 'cs', 'fs', 'php', 'pl', 'pm', 'r', 'jl', 'lua', 'dart', 'ex', 'exs',
  'erl', 'hs', 'clj', 'elm', 'sh', 'bash', 'zsh', 'fish', 'ps1', 'bat', 'cmd', 'sql', 'graphql', 'gql', 'proto',
  'tf', 'hcl', 'gradle', 'cmake', 'mk', 'makefile', 'dockerfile', 'gitignore', 'log', 'tex', 'bib', 'rst', 'adoc',
  'org', 'srt', 'vtt', 'diff', 'patch', 'svg',
]);

/** The one sentence telling a user what can go into a chat. */
export const chatFileTypesHint =
  'attach images (PNG, JPEG, GIF, WebP) or UTF-8 text files (plain text, Markdown, CSV, JSON, source code)';

function extensionOf(name: string): string {
  const lower = name.toLowerCase();
  const dot = lower.lastIndexOf('.');
  return dot >= 0 ? lower.slice(dot + 1) : lower;
}

export function isPromptImage(mimeType: string): boolean {
  return promptImageTypes.has(mimeType);
}

export function isTextLike(mimeType: string, name: string): boolean {
  if (mimeType.startsWith('text/') || textApplicationTypes.has(mimeType)) return true;
  if (mimeType.endsWith('+json') || mimeType.endsWith('+xml')) return true;
  // A recognised binary type keeps its meaning even with a text-looking name.
  if (mimeType.startsWith('image/') || mimeType === 'application/pdf') return false;
  return textExtensions.has(extensionOf(name));
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Cuts at `maxChars` (never inside a surrogate pair) and says so in the text itself. */
function capText(text: string, maxChars: number, name: string): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  let end = maxChars;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  const note = `\n\n[truncated: only the first ${end} of ${text.length} characters of ${name} are included]`;
  return { text: text.slice(0, end) + note, truncated: true };
}

/** Throws the VALIDATION_ERROR naming the usable types unless the file is an image or text. */
export function assertUsableInChat(file: { name: string; mimeType: string }): void {
  if (isPromptImage(file.mimeType) || isTextLike(file.mimeType, file.name)) return;
  const later =
    file.mimeType === 'application/pdf'
      ? '; reading text out of PDFs comes with knowledge bases (RAG), which are not available yet'
      : '';
  throw validationError(`file "${file.name}" (${file.mimeType}) cannot be used in chat: ${chatFileTypesHint}${later}`);
}

/**
 * What a stored file becomes in a prompt, or a VALIDATION_ERROR naming the types that can be
 * used. PDFs and other documents are refused for now: their text is extracted by the
 * knowledge-base (RAG) work, which is not built yet.
 */
export function toPromptFile(
  file: { id: string; name: string; mimeType: string },
  data: Uint8Array,
  maxChars: number,
): PromptFile {
  assertUsableInChat(file);
  const base = { id: file.id, name: file.name, mimeType: file.mimeType, data };
  if (isPromptImage(file.mimeType)) return { ...base, kind: 'image' };
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    throw validationError(`file "${file.name}" cannot be used in chat: it is not UTF-8 text; ${chatFileTypesHint}`);
  }
  if (text.includes('\u0000')) {
    throw validationError(`file "${file.name}" cannot be used in chat: it looks binary, not text; ${chatFileTypesHint}`);
  }
  return { ...base, kind: 'text', ...capText(text, maxChars, file.name) };
}
