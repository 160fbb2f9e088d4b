import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../auth/principal.ts';
import { AppError, notFound, validationError } from '../errors/app-error.ts';
import { maskSecret, type SecretBox } from '../providers/secret-box.ts';
import type { PluginSettingsRepository, StoredPluginSettings } from './plugin-settings-repository.ts';

export type PluginSettingValue = string | number | boolean;
export type PluginSettings = Record<string, PluginSettingValue>;

/** Text settings may be keys, so every one is shown masked; numbers and booleans as they are. */
export function settingHints(settings: PluginSettings): Record<string, PluginSettingValue> {
  return Object.fromEntries(Object.entries(settings).map(([name, value]) => [name, typeof value === 'string' ? maskSecret(value) : value]));
}

const maxSettings = 50;

/** Per-user LobeChat plugin settings (API keys and the like): sealed at rest, masked on output. */
export function createPluginSettingsService(dependencies: {
  repository: PluginSettingsRepository;
  secretBox: SecretBox;
  audit: AuditLog;
  clock: () => Date;
}) {
  const { repository, secretBox, audit, clock } = dependencies;
  const sealContext = (userId: string, identifier: string) => `plugin-settings:${userId}:${identifier}`;

  function ownerOf(context: RequestContext): string {
    if (!context.principal) throw new AppError('UNAUTHORIZED', 'authentication required');
    return context.principal.user.id;
  }

  function open(stored: StoredPluginSettings): PluginSettings {
    return JSON.parse(secretBox.open(stored.settingsCipher, sealContext(stored.userId, stored.identifier)).plaintext) as PluginSettings;
  }

  return {
    list: (context: RequestContext) => repository.listForUser(ownerOf(context)),

    async get(context: RequestContext, identifier: string): Promise<StoredPluginSettings> {
      const stored = await repository.findForUser(ownerOf(context), identifier);
      if (!stored) throw notFound('plugin settings');
      return stored;
    },

    /** Replaces a plugin's settings; a value sent back as its own mask keeps the stored one. */
    async put(context: RequestContext, identifier: string, settings: PluginSettings): Promise<StoredPluginSettings> {
      const userId = ownerOf(context);
      if (Object.keys(settings).length > maxSettings) throw validationError(`at most ${maxSettings} settings per plugin`);
      const current = await repository.findForUser(userId, identifier);
      const previous = current ? open(current) : {};
      const merged = Object.fromEntries(
        Object.entries(settings).map(([name, value]) =>
          [name, current && current.settingHints[name] === value && previous[name] !== undefined ? previous[name] : value]),
      ) as PluginSettings;
      const at = clock().toISOString();
      const stored: StoredPluginSettings = {
        userId, identifier, settingsCipher: secretBox.seal(JSON.stringify(merged), sealContext(userId, identifier)),
        settingHints: settingHints(merged), createdAt: current?.createdAt ?? at, updatedAt: at,
      };
      await repository.upsert(stored);
      await audit.record(context, { action: 'plugin_settings.update', result: 'success', targetType: 'plugin', targetId: identifier });
      return { ...stored, createdAt: current?.createdAt ?? at };
    },

    async delete(context: RequestContext, identifier: string): Promise<void> {
      if (!(await repository.delete(ownerOf(context), identifier))) throw notFound('plugin settings');
      await audit.record(context, { action: 'plugin_settings.delete', result: 'success', targetType: 'plugin', targetId: identifier });
    },

    /** The user's stored settings for a plugin, opened (for the gateway only). */
    async settingsFor(userId: string, identifier: string): Promise<PluginSettings> {
      const stored = await repository.findForUser(userId, identifier);
      return stored ? open(stored) : {};
    },
  };
}

export type PluginSettingsService = ReturnType<typeof createPluginSettingsService>;
