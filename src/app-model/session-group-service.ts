import { notFound, validationError } from '../errors/app-error.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { GroupMemberKind, SessionGroup, SessionGroupMembers } from '../storage/repositories/session-groups-repository.ts';
import type { AppModelRepositories, AppModelTransaction } from './app-model-repositories.ts';

export type SessionGroupWithMembers = SessionGroup & SessionGroupMembers;

export interface SessionGroupServiceOptions {
  repositories: AppModelRepositories;
  transaction: AppModelTransaction;
  newId: IdGenerator;
  clock: () => Date;
}

/** LobeChat's sessionGroup router: folders of the caller's conversations and agents, in the caller's order. */
export function createSessionGroupService(options: SessionGroupServiceOptions) {
  const { repositories, transaction, newId, clock } = options;
  const { groups } = repositories;
  const now = () => clock().toISOString();

  async function withMembers(userId: string, list: SessionGroup[]): Promise<SessionGroupWithMembers[]> {
    const members = await groups.members(userId, list.map((group) => group.id));
    return list.map((group) => ({ ...group, ...members.get(group.id)! }));
  }

  async function get(userId: string, id: string): Promise<SessionGroupWithMembers> {
    const group = await groups.findForUser(userId, id);
    if (!group) throw notFound('session group');
    return (await withMembers(userId, [group]))[0]!;
  }

  return {
    get,

    async list(userId: string): Promise<SessionGroupWithMembers[]> {
      return withMembers(userId, await groups.list(userId));
    },

    /** A new group goes last unless a sort index is given. */
    async create(userId: string, fields: { name: string; sortIndex?: number }): Promise<SessionGroupWithMembers> {
      const at = now();
      const id = newId();
      const sortIndex = fields.sortIndex ?? (await groups.nextSortIndex(userId));
      await groups.insert({ id, userId, name: fields.name, sortIndex, createdAt: at, updatedAt: at });
      return get(userId, id);
    },

    async update(userId: string, id: string, fields: { name?: string; sortIndex?: number }): Promise<SessionGroupWithMembers> {
      if (!(await groups.update(userId, id, fields, now()))) throw notFound('session group');
      return get(userId, id);
    },

    /** Its conversations and agents stay, ungrouped. */
    async delete(userId: string, id: string): Promise<void> {
      if (!(await groups.delete(userId, id))) throw notFound('session group');
    },

    async deleteAll(userId: string): Promise<number> {
      return groups.deleteAll(userId);
    },

    /**
     * Gives the listed groups sort indexes 0, 1, 2 … in the order given; groups left out keep
     * theirs after them. All or nothing: an unknown or repeated id changes nothing.
     */
    async reorder(userId: string, ids: string[]): Promise<SessionGroupWithMembers[]> {
      if (new Set(ids).size !== ids.length) throw validationError('ids must not repeat a group');
      await transaction(async (scoped) => {
        const owned = new Map((await scoped.groups.list(userId)).map((group) => [group.id, group]));
        const unknown = ids.find((id) => !owned.has(id));
        if (unknown !== undefined) throw notFound(`session group ${unknown}`);
        const at = now();
        const rest = [...owned.keys()].filter((id) => !ids.includes(id));
        for (const [index, id] of [...ids, ...rest].entries()) await scoped.groups.update(userId, id, { sortIndex: index }, at);
      });
      return this.list(userId);
    },

    /** Files a conversation or one of the caller's own agents in a group; a null group ungroups it. */
    async move(userId: string, kind: GroupMemberKind, itemId: string, groupId: string | null): Promise<void> {
      if (groupId !== null && !(await groups.findForUser(userId, groupId))) throw notFound('session group');
      if (!(await groups.setGroup(userId, kind, itemId, groupId))) throw notFound(kind);
    },
  };
}

export type SessionGroupService = ReturnType<typeof createSessionGroupService>;
