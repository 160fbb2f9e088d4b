/** Longest tool name the LLM APIs accept (OpenAI: 64, `^[a-zA-Z0-9_-]+$`). */
export const maxToolNameLength = 64;

const separator = '__';

/** Text reduced to the characters tool names may hold; anything else becomes `_`. */
export function sanitiseToolNamePart(text: string): string {
  return text.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/**
 * The name a model sees for an MCP tool: `<server>__<tool>`, sanitised and at most 64 characters.
 * A name cut to fit ends with a short hash of the whole, so two long names stay apart.
 */
export function prefixedToolName(serverName: string, toolName: string): string {
  const full = `${sanitiseToolNamePart(serverName)}${separator}${sanitiseToolNamePart(toolName)}`;
  if (full.length <= maxToolNameLength) return full;
  const hash = shortHash(`${serverName}\u0000${toolName}`);
  return `${full.slice(0, maxToolNameLength - hash.length - 1)}_${hash}`;
}

/** FNV-1a, 8 hex digits: stable across processes, enough to tell truncated names apart. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
