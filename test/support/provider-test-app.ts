import { createTestApp, type TestApp } from './test-app.ts';
import type { DependencyOptions } from '../../src/dependencies.ts';
import type { OutboundHttp } from '../../src/providers/provider-connection.ts';
import type { ProviderModule } from '../../src/providers/provider-module.ts';
import type { Database } from '../../src/storage/database.ts';

/** createTestApp with the outbound client replaced by `http` (tests pass one that may reach their loopback servers). */
export async function createProviderTestApp(
  database: Database,
  options: { env?: Record<string, string>; dependencies?: DependencyOptions; http: OutboundHttp },
): Promise<TestApp & { providers: ProviderModule }> {
  const test = await createTestApp(database, { env: options.env, dependencies: { ...options.dependencies, http: options.http } });
  return { ...test, providers: test.dependencies.providers };
}
