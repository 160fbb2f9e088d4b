import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '../errors/app-error.ts';

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
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return new AppError('TOOL_UPSTREAM_ERROR', `MCP server ${serverName} did not answer in time`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('TOOL_UPSTREAM_ERROR', `MCP server ${serverName} failed: ${message.slice(0, 500)}`, { cause: error });
}
