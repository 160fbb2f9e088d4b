/** One content part of an MCP tool result, as far as this module reads it. */
interface ContentPart {
  type: string;
  text?: string;
  mimeType?: string;
  data?: string;
  uri?: string;
  name?: string;
  resource?: { uri?: string; mimeType?: string; text?: string; blob?: string };
}

/** An MCP `tools/call` result (current or the 2024 `toolResult` form). */
export interface McpCallResult {
  content?: unknown;
  structuredContent?: unknown;
  toolResult?: unknown;
  isError?: unknown;
}

/**
 * Turns an MCP tool result into the text handed back to the model. It is data: text parts are
 * joined, binary parts (images, audio, blobs) are only described, and nothing in it can change a
 * role, a permission or which tools run. `isError` is kept as the server set it.
 */
export function mcpResultText(result: McpCallResult, maxChars: number): { output: string; isError: boolean } {
  const parts: string[] = [];
  if (Array.isArray(result.content)) {
    for (const part of result.content as ContentPart[]) parts.push(describePart(part));
  }
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent));
  if (parts.length === 0 && result.toolResult !== undefined) {
    parts.push(typeof result.toolResult === 'string' ? result.toolResult : JSON.stringify(result.toolResult));
  }
  return { output: capped(parts.join('\n'), maxChars), isError: result.isError === true };
}

function describePart(part: ContentPart): string {
  switch (part?.type) {
    case 'text':
      return String(part.text ?? '');
    case 'image':
    case 'audio':
      return `[${part.type}: ${part.mimeType ?? 'unknown type'}, ${base64Bytes(part.data)} bytes, not shown]`;
    case 'resource_link':
      return `[resource link: ${part.name ?? ''} ${part.uri ?? ''}]`.replace(/\s+]/, ']');
    case 'resource': {
      const resource = part.resource ?? {};
      if (typeof resource.text === 'string') return `[resource ${resource.uri ?? ''}]\n${resource.text}`;
      return `[resource ${resource.uri ?? ''}: ${resource.mimeType ?? 'binary'}, ${base64Bytes(resource.blob)} bytes, not shown]`;
    }
    default:
      return `[${String(part?.type ?? 'unknown')} content, not shown]`;
  }
}

function base64Bytes(data: string | undefined): number {
  if (typeof data !== 'string') return 0;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

function capped(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n[output cut: ${text.length - maxChars} more characters]`;
}
