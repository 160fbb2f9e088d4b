import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { testEnvironment, type TestApp } from '../../../test/support/test-app.ts';
import { parseConfig, resolveConfig } from '../../config/load-config.ts';
import { createDependencies, type AppDependencies, type DependencyOptions } from '../../dependencies.ts';
import type { OutboundHttp } from '../../providers/provider-connection.ts';
import { createProviderModule, type ProviderModule } from '../../providers/provider-module.ts';
import type { Database } from '../../storage/database.ts';
import { buildApp } from '../app.ts';

/**
 * Like test/support's createTestApp, plus the provider module built over `http` (tests pass one
 * that may reach their loopback servers). It replaces whatever provider module the composition
 * root made, so it keeps working once `dependencies.providers` is wired there.
 */
export async function createProviderTestApp(
  database: Database,
  options: { env?: Record<string, string>; dependencies?: DependencyOptions; http: OutboundHttp },
): Promise<TestApp & { providers: ProviderModule }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'colloquy-test-'));
  const parsed = parseConfig(testEnvironment({ COLLOQUY_DATA_DIR: dataDir, ...options.env }), dataDir);
  const config = resolveConfig(
    { ...parsed, validateResponses: true, auth: { ...parsed.auth, passwordHashMemoryKib: 1024, passwordHashIterations: 1 } },
    dataDir,
  );
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const base = await createDependencies(config, { ...options.dependencies, database });
  const providers = createProviderModule({
    db: base.database.db,
    config,
    audit: base.services.audit,
    newId: base.newId,
    clock: base.clock,
    http: options.http,
  });
  const dependencies: AppDependencies = Object.assign({}, base, { providers });
  const app = await buildApp(dependencies, { logStream });
  await app.ready();
  return {
    app,
    dependencies,
    config,
    logs,
    providers,
    async close() {
      await app.close();
      await dependencies.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
