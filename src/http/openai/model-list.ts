import { aliasProvider, type ModelAliases } from '../../providers/model-aliases.ts';
import type { ProviderDirectory } from '../../providers/provider-directory.ts';

export interface ListedModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

const createdOf = (createdAt: string): number => Math.floor(Date.parse(createdAt) / 1000) || 0;

/**
 * OpenAI's model list over the providers a user may use. The operator's model aliases come
 * first (those whose provider this user can reach), owned by the provider they resolve to, so a
 * client's model picker offers them. Then each model is listed by its bare id under the first
 * provider (in resolution order) that offers it, so that the bare id resolves to it; an id an
 * alias already took, or the same model under a later provider, is listed as `<provider id>/<model>`.
 */
export async function listModelsFor(directory: ProviderDirectory, userId: string, aliases: ModelAliases = {}): Promise<ListedModel[]> {
  const usable = await directory.usable(userId);
  const seen = new Set<string>();
  const listed: ListedModel[] = [];
  for (const [alias, target] of Object.entries(aliases)) {
    const entry = aliasProvider(usable, target);
    if (!entry) continue;
    seen.add(alias);
    listed.push({ id: alias, object: 'model', created: createdOf(entry.record.createdAt), owned_by: entry.record.name });
  }
  for (const { record } of usable) {
    const created = createdOf(record.createdAt);
    const models = [...new Set([...(record.defaultModel ? [record.defaultModel] : []), ...record.models])];
    for (const model of models) {
      const id = seen.has(model) ? `${record.id}/${model}` : model;
      seen.add(model);
      listed.push({ id, object: 'model', created, owned_by: record.name });
    }
  }
  return listed;
}
