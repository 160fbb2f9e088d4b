import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../auth/principal.ts';
import type { DiagnosticLog } from '../diagnostics.ts';
import type { ToolRefusal, ToolRegistry } from './tool-registry.ts';

export interface ToolRefusalDependencies {
  tools: Pick<ToolRegistry, 'refusalFor'>;
  audit?: AuditLog;
  log: Pick<DiagnosticLog, 'error'>;
}

export interface RefusedToolCall {
  userId: string;
  permissionLevel: number;
  toolName: string;
  /** Where the call came from: `chat` (a model in a turn) or `api` (the tools API). */
  via: 'chat' | 'api';
  conversationId?: string;
  turnId?: string;
}

/** Tool names come from models and clients: keep what is written to the audit log short. */
const maxAuditedNameLength = 200;

/**
 * Explains why a tool call is refused and writes the refusal to the audit log. The refusal
 * stands even if the audit write fails; that failure is logged.
 */
export async function refuseToolCall(
  dependencies: ToolRefusalDependencies,
  context: RequestContext | undefined,
  call: RefusedToolCall,
): Promise<ToolRefusal> {
  const refusal = await dependencies.tools.refusalFor(call.userId, call.toolName, call.permissionLevel);
  try {
    await dependencies.audit?.record(context, {
      action: 'tool.refused',
      result: 'denied',
      actorUserId: call.userId,
      targetType: 'tool',
      targetId: call.toolName.slice(0, maxAuditedNameLength),
      details: {
        reason: refusal.reason,
        via: call.via,
        permissionLevel: call.permissionLevel,
        ...(call.conversationId ? { conversationId: call.conversationId } : {}),
        ...(call.turnId ? { turnId: call.turnId } : {}),
      },
    });
  } catch (error) {
    dependencies.log.error({ err: error, tool: call.toolName.slice(0, maxAuditedNameLength) }, 'could not audit a refused tool call');
  }
  return refusal;
}
