import { AppError } from '../errors/app-error.ts';

/** The SDK's `ErrorCode.ConnectionClosed` and `RequestTimeout` (JSON-RPC codes), without loading the SDK. */
export const mcpConnectionClosed = -32000;
const mcpRequestTimeout = -32001;

/** The SDK's McpError, told by its name and numeric code, so this module does not load the SDK. */
export function isMcpProtocolError(error: unknown): error is Error & { code: number } {
  return error instanceof Error && error.name === 'McpError' && typeof (error as { code?: unknown }).code === 'number';
}

/**
 * An MCP failure as an AppError: a refusal by the guarded client stays OUTBOUND_BLOCKED (it may be
 * wrapped by the SDK's transports), anything else the server or the network did becomes
 * TOOL_UPSTREAM_ERROR naming the server.
 */
export function mcpFailure(error: unknown, serverName: string): AppError {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    if (current instanceof AppError) return current;
  }
  if (isMcpProtocolError(error) && error.code === mcpRequestTimeout) {
    return new AppError('TOOL_UPSTREAM_ERROR', `MCP server ${serverName} did not answer in time`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('TOOL_UPSTREAM_ERROR', `MCP server ${serverName} failed: ${message.slice(0, 500)}`, { cause: error });
}
