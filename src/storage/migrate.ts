import { Migrator, sql, type Migration, type MigrationResultSet } from 'kysely';
import type { Database, Dialect } from './database.ts';
import { foundationMigration } from './migrations/0001-foundation.ts';
import { chatEngineMigration } from './migrations/0002-chat-engine.ts';
import { agentsMigration } from './migrations/0003-agents.ts';
import { appModelMigration } from './migrations/0004-app-model.ts';
import { toolsMigration } from './migrations/0005-tools.ts';
import { filesMigration } from './migrations/0006-files.ts';
import { agentEndpointsMigration } from './migrations/0007-agent-endpoints.ts';
import { clientChatIdsMigration } from './migrations/0008-client-chat-ids.ts';

/** The one ordered list of migrations, run on both dialects. Append; never edit a shipped one. */
function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-foundation': foundationMigration(dialect),
    '0002-chat-engine': chatEngineMigration(dialect),
    '0003-agents': agentsMigration(dialect),
    '0004-app-model': appModelMigration(dialect),
    '0005-tools': toolsMigration(dialect),
    '0006-files': filesMigration(dialect),
    '0007-agent-endpoints': agentEndpointsMigration(dialect),
    '0008-client-chat-ids': clientChatIdsMigration(dialect),
  };
}

/**
 * On PostgreSQL, the schema unqualified names land in. Kysely's migrator, told no schema, takes a
 * migration table in any schema of the database as its own, and then fails to lock a table its
 * search path cannot see; naming the current schema keeps the table where it always was.
 */
async function migrationTableSchema(database: Database): Promise<string | undefined> {
  if (database.dialect !== 'postgres') return undefined;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db);
  return rows[0]?.schema;
}

export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({
    // Migrations spell snake_case names themselves; the camel-case plugin stays out of the way.
    db: database.db.withoutPlugins(),
    provider: { getMigrations: async () => migrationsFor(database.dialect) },
    migrationTableSchema: await migrationTableSchema(database),
  });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '(unknown)'} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((r) => r.migrationName);
}
