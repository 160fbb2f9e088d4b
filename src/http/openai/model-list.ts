import type { ProviderDirectory } from '../../providers/provider-directory.ts';

export interface ListedModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/**
 * OpenAI's model list over the providers a user may use. A model is listed by its bare id under
 * the first provider (in resolution order) that offers it, so that the bare id resolves to it;
 * the same model under later providers is listed as `<provider id>/<model>`.
 */
export async function listModelsFor(directory: ProviderDirectory, userId: string): Promise<ListedModel[]> {
  const seen = new Set<string>();
  const listed: ListedModel[] = [];
  for (const entry of await directory.usable(userId)) {
    const { record } = entry;
    const created = Math.floor(Date.parse(record.createdAt) / 1000) || 0;
    const models = [...new Set([...(record.defaultModel ? [record.defaultModel] : []), ...record.models])];
    for (const model of models) {
      const id = seen.has(model) ? `${record.id}/${model}` : model;
      seen.add(model);
      listed.push({ id, object: 'model', created, owned_by: record.name });
    }
  }
  return listed;
}
