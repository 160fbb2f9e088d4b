import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import type { DependencyOptions } from '../../dependencies.ts';
import type { OutboundHttp } from '../../providers/provider-connection.ts';
import type { ProviderModule } from '../../providers/provider-module.ts';
import type { Database } from '../../storage/database.ts';

/** createTestApp with the outbound client replaced by `http` (tests pass one that may reach their loopback servers). */
export async function createProviderTestApp(
  database: Database,
  options: { env?: Record<string, string>; dependencies?: DependencyOptions; http: OutboundHttp },
): Promise<TestApp & { providers: ProviderModule }> {
  const test = await createTestApp(database, { env: options.env, dependencies: { ...options.dependencies, http: options.http } });
  return { ...test, providers: test.dependencies.providers };
}
