import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { agentFileEntrySchema, type AgentFileEntry } from './agent-definition.ts';

export interface InvalidAgentEntry {
  /** Position in the file's list, from 0. */
  index: number;
  id?: string;
  reason: string;
}

export interface AgentsFileContents {
  /** Valid entries with their position in the file. */
  valid: { index: number; entry: AgentFileEntry }[];
  invalid: InvalidAgentEntry[];
}

/** Thrown when the file as a whole cannot be used (missing, unreadable, not JSON/YAML, no list). */
export class AgentsFileError extends Error {
  override name = 'AgentsFileError';
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
    .join('; ');
}

/** The list inside a parsed file: a bare array, or `{ "agents": [...] }` as LLMChat writes it. */
function entriesOf(parsed: unknown, file: string): unknown[] {
  if (Array.isArray(parsed)) return parsed;
  if (parsed !== null && typeof parsed === 'object' && Array.isArray((parsed as { agents?: unknown }).agents)) {
    return (parsed as { agents: unknown[] }).agents;
  }
  throw new AgentsFileError(`${file}: expected a list of agents, or an object with an "agents" list`);
}

/**
 * Reads the agents file (JSON, or YAML for .yaml/.yml) and checks each entry on its own, so one
 * bad entry is reported with its reason and never hides the others. Duplicate ids: the first wins.
 */
export async function readAgentsFile(file: string): Promise<AgentsFileContents> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AgentsFileError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(path.extname(file)) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new AgentsFileError(`${file}: not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'} (${(error as Error).message})`);
  }
  const contents: AgentsFileContents = { valid: [], invalid: [] };
  const seen = new Set<string>();
  for (const [index, raw] of entriesOf(parsed, file).entries()) {
    const rawId = raw !== null && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
    const result = agentFileEntrySchema.safeParse(raw);
    if (!result.success) {
      contents.invalid.push({ index, ...(rawId ? { id: rawId } : {}), reason: describeIssues(result.error) });
    } else if (seen.has(result.data.id)) {
      contents.invalid.push({ index, id: result.data.id, reason: 'duplicate id; an earlier entry has it' });
    } else {
      seen.add(result.data.id);
      contents.valid.push({ index, entry: result.data });
    }
  }
  return contents;
}
