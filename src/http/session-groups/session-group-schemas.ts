import { z } from 'zod';
import type { SessionGroupWithMembers } from '../../app-model/session-group-service.ts';

export const sessionGroupViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  sort: z.number().int(),
  conversations: z.array(z.object({ id: z.string(), title: z.string() })),
  agents: z.array(z.object({ id: z.string(), name: z.string() })),
  created_at: z.string(),
  updated_at: z.string(),
});

export function sessionGroupView(group: SessionGroupWithMembers): z.infer<typeof sessionGroupViewSchema> {
  return {
    id: group.id,
    name: group.name,
    sort: group.sortIndex,
    conversations: group.conversations,
    agents: group.agents,
    created_at: group.createdAt,
    updated_at: group.updatedAt,
  };
}

const name = z.string().trim().min(1, 'name must not be empty').max(200);
const sort = z.number().int().min(0).max(1_000_000);

export const createSessionGroupBodySchema = z.object({ name, sort: sort.optional() });
export const updateSessionGroupBodySchema = z
  .object({ name: name.optional(), sort: sort.optional() })
  .refine((body) => body.name !== undefined || body.sort !== undefined, 'give name or sort');
export const sessionGroupParamsSchema = z.object({ id: z.string().min(1).max(128) });
export const reorderBodySchema = z.object({ ids: z.array(z.string().min(1).max(128)).min(1).max(1000) });
export const moveBodySchema = z.object({
  kind: z.enum(['conversation', 'agent']),
  id: z.string().min(1).max(128),
  /** null takes the item out of its group. */
  group_id: z.string().min(1).max(128).nullable(),
});
