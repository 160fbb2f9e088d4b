import type { Kysely } from 'kysely';
import { createAgentsRepository, type AgentOwner } from '../storage/repositories/agents-repository.ts';
import type { DatabaseSchema } from '../storage/schema.ts';
import type { Agent, AgentFileEntry } from './agent-definition.ts';
import { readAgentsFile, type InvalidAgentEntry } from './agents-file.ts';

/** What a reload did, id by id; invalid entries say why. */
export interface AgentsReloadReport {
  file: string;
  added: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
  invalid: InvalidAgentEntry[];
}

/** File agents are system agents: the file speaks for the operator. */
const systemAgents: AgentOwner = null;

const comparable = (entry: Omit<AgentFileEntry, 'id'> | Agent) =>
  JSON.stringify([
    entry.name, entry.description, entry.category, entry.provider, entry.avatar, entry.status, entry.visibility ?? 'public',
    entry.capabilities, entry.config, entry.tools, entry.knowledgeBaseIds,
  ]);

/**
 * Makes the stored file agents match the agents file, in one transaction. Only agents that came
 * from the file are touched: an entry whose id belongs to an admin's or a user's agent is
 * reported invalid. An entry that is present but invalid keeps its earlier stored version, so
 * a typo never deletes a working agent; only ids gone from the file are removed.
 */
export async function syncAgentsFile(db: Kysely<DatabaseSchema>, file: string, now: string): Promise<AgentsReloadReport> {
  const contents = await readAgentsFile(file);
  return db.transaction().execute(async (transaction) => {
    const repository = createAgentsRepository(transaction);
    const report: AgentsReloadReport = { file, added: [], updated: [], unchanged: [], removed: [], invalid: [...contents.invalid] };
    const stored = new Map((await repository.listSystemBySource('file')).map((agent) => [agent.id, agent]));
    const newIds = contents.valid.filter(({ entry }) => !stored.has(entry.id)).map(({ entry }) => entry.id);
    const takenByOthers = await repository.findTakenIds(newIds);

    for (const { index, entry } of contents.valid) {
      const { id, ...fields } = entry;
      const fieldsWithVisibility = { ...fields, visibility: fields.visibility ?? ('public' as const) };
      const existing = stored.get(id);
      if (existing) {
        if (comparable(existing) === comparable(fieldsWithVisibility)) report.unchanged.push(id);
        else {
          await repository.update(systemAgents, id, fieldsWithVisibility, now);
          report.updated.push(id);
        }
      } else if (takenByOthers.has(id)) {
        report.invalid.push({ index, id, reason: 'this id belongs to an agent made through the API; choose another id' });
      } else {
        await repository.insert({ id, ownerId: null, source: 'file', ...fieldsWithVisibility, createdAt: now, updatedAt: now });
        report.added.push(id);
      }
    }

    const present = new Set([...contents.valid.map(({ entry }) => entry.id), ...contents.invalid.flatMap((entry) => (entry.id ? [entry.id] : []))]);
    for (const id of stored.keys()) {
      if (present.has(id)) continue;
      await repository.delete(systemAgents, id);
      report.removed.push(id);
    }
    return report;
  });
}
