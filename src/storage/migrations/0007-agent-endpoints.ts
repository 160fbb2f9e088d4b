import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.ts';

/**
 * Agents that carry their own endpoint and key (LLMChat's admin form): the provider row made for
 * the agent, removed with it, and the remote app's id (FastGPT's appId)
 * (docs/decisions/0004-agents-and-agent-platforms.md).
 */
export function agentEndpointsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('agents')
        .addColumn('endpoint_provider_id', 'text', (column) => column.references('providers.id').onDelete('set null'))
        .execute();
      await db.schema.alterTable('agents').addColumn('app_id', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('agents').dropColumn('app_id').execute();
      await db.schema.alterTable('agents').dropColumn('endpoint_provider_id').execute();
    },
  };
}
