import { validationError } from '../errors/app-error.ts';
import { maskSecret } from '../providers/secret-box.ts';

/** Headers the transport itself sets; a configured value would break or spoof the protocol. */
const reservedHeaders = new Set([
  'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'upgrade', 'accept',
  'mcp-session-id', 'mcp-protocol-version', 'last-event-id',
]);
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
export const maxHeaders = 20;

/** Checks headers a user gives for an MCP server; throws VALIDATION_ERROR saying what to fix. */
export function assertValidHeaders(headers: Record<string, string>): void {
  const entries = Object.entries(headers);
  if (entries.length > maxHeaders) throw validationError(`at most ${maxHeaders} headers`);
  for (const [name, value] of entries) {
    if (!headerName.test(name)) throw validationError(`header name ${JSON.stringify(name.slice(0, 100))} is not a valid HTTP header name`);
    if (reservedHeaders.has(name.toLowerCase())) throw validationError(`header ${name} is set by the MCP transport and cannot be configured`);
    if (/[\r\n\0]/.test(value) || value.length > 8192) throw validationError(`header ${name}: value must be one line of at most 8192 characters`);
  }
}

/** Header name → masked value, safe to show and store in the clear. */
export function headerHints(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, maskSecret(value)]));
}
