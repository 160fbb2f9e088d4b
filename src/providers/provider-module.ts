import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Config } from '../config/schema.ts';
import type { IdGenerator } from '../storage/ids.ts';
import { createPlatformConversationsRepository } from '../storage/repositories/agents-platform-conversations-repository.ts';
import { createProvidersRepository } from '../storage/repositories/providers-repository.ts';
import type { DatabaseSchema } from '../storage/schema.ts';
import { buildEnvironmentProviders } from './environment-providers.ts';
import { createModelOperations } from './model-operations.ts';
import type { ModelAliases } from './model-aliases.ts';
import { createModelResolver } from './model-resolver.ts';
import type { OutboundHttp } from './provider-connection.ts';
import { createProviderDirectory } from './provider-directory.ts';
import { createProviderService } from './provider-service.ts';
import { createSecretBox } from './secret-box.ts';

export interface ProviderModuleDependencies {
  db: Kysely<DatabaseSchema>;
  config: {
    auth: { encryptionKey: string; previousEncryptionKeys: readonly string[] };
    providers: Config['providers'];
    chat: { defaultContextWindow: number };
    models?: { aliases: ModelAliases };
  };
  audit: AuditLog;
  newId: IdGenerator;
  clock: () => Date;
  /** The guarded HTTP client (src/net); every upstream call goes through it. */
  http: OutboundHttp;
}

/**
 * Everything about LLM providers, built once by the composition root:
 * - `service`: CRUD for `/api/providers` (ownership, sealing keys, audit);
 * - `resolver`: the chat engine's `ModelResolver`;
 * - `models`: model lists, Ollama pulls and connection tests for the HTTP routes;
 * - `directory`: which providers a user can use, and their connections.
 * Environment providers are read from the config here, once.
 */
export function createProviderModule(dependencies: ProviderModuleDependencies) {
  const { db, config, audit, newId, clock, http } = dependencies;
  const repository = createProvidersRepository(db);
  const secretBox = createSecretBox({ currentKey: config.auth.encryptionKey, previousKeys: config.auth.previousEncryptionKeys });
  const environmentProviders = buildEnvironmentProviders(config.providers, clock().toISOString());
  const directory = createProviderDirectory({ repository, secretBox, environmentProviders });
  const aliases = config.models?.aliases ?? {};
  return {
    repository,
    directory,
    /** The operator's model aliases, resolved by `resolver` and listed by the model lists. */
    aliases,
    service: createProviderService({ repository, directory, secretBox, audit, newId, clock }),
    resolver: createModelResolver({
      directory, http, defaultContextWindow: config.chat.defaultContextWindow,
      platformConversations: createPlatformConversationsRepository(db, clock),
      aliases,
    }),
    models: createModelOperations({ directory, http }),
  };
}

export type ProviderModule = ReturnType<typeof createProviderModule>;
