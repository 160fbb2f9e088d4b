import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Config } from '../config/schema.ts';
import type { GuardedHttpClient } from '../net/guarded-http-client.ts';
import { createSecretBox } from '../providers/secret-box.ts';
import type { DatabaseSchema } from '../storage/schema.ts';
import { createPluginGateway } from './plugin-gateway.ts';
import { createPluginSettingsRepository } from './plugin-settings-repository.ts';
import { createPluginSettingsService } from './plugin-settings-service.ts';

/** LobeChat plugins: per-user settings (`settings`) and the gateway that runs plugin APIs (`gateway`). */
export function createPluginModule(dependencies: {
  db: Kysely<DatabaseSchema>;
  config: { auth: { encryptionKey: string; previousEncryptionKeys: readonly string[] }; plugins: Config['plugins'] };
  http: Pick<GuardedHttpClient, 'fetchWith'>;
  audit: AuditLog;
  clock: () => Date;
}) {
  const { config } = dependencies;
  const settings = createPluginSettingsService({
    repository: createPluginSettingsRepository(dependencies.db),
    secretBox: createSecretBox({ currentKey: config.auth.encryptionKey, previousKeys: config.auth.previousEncryptionKeys }),
    audit: dependencies.audit,
    clock: dependencies.clock,
  });
  const gateway = createPluginGateway({
    http: dependencies.http,
    settingsFor: settings.settingsFor,
    timeoutMs: config.plugins.gatewayTimeoutMs,
    maxResponseBytes: config.plugins.gatewayMaxResponseBytes,
  });
  return { settings, gateway };
}

export type PluginModule = ReturnType<typeof createPluginModule>;
