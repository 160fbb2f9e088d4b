import type { RequestContext } from '../auth/principal.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { AuditRepository } from '../storage/repositories/audit-repository.ts';

export interface AuditEvent {
  action: string;
  result: 'success' | 'failure' | 'denied';
  targetType?: string;
  targetId?: string;
  /** Never secrets: callers pass ids, names and reasons only. */
  details?: Record<string, unknown>;
  /** Overrides the actor when the request had none (a login names the account it reached). */
  actorUserId?: string;
}

export interface AuditLog {
  record(context: RequestContext | undefined, event: AuditEvent): Promise<void>;
}

/** Writes one row per auth event and admin action: actor, action, target, result, IP, request id. */
export function createAuditLog(dependencies: {
  repository: AuditRepository;
  newId: IdGenerator;
  clock: () => Date;
}): AuditLog {
  return {
    async record(context, event) {
      await dependencies.repository.append({
        id: dependencies.newId(),
        at: dependencies.clock().toISOString(),
        actorUserId: event.actorUserId ?? context?.principal?.user.id ?? null,
        actorApiKeyId: context?.principal?.apiKeyId ?? null,
        action: event.action,
        targetType: event.targetType ?? null,
        targetId: event.targetId ?? null,
        result: event.result,
        ip: context?.ip ?? null,
        requestId: context?.requestId ?? null,
        details: event.details ? JSON.stringify(event.details) : null,
      });
    },
  };
}
