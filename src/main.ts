import { ConfigError, loadConfig, type ResolvedConfig } from './config/load-config.ts';
import { createDependencies, type AppDependencies } from './dependencies.ts';
import { buildApp, type App } from './http/app.ts';
import { ensureConfiguredAdmin } from './cli/ensure-admin.ts';

export interface RunningServer {
  app: App;
  dependencies: AppDependencies;
  address: string;
  stop(): Promise<void>;
}

/** The composition root: load config, build every dependency, build the app, listen. */
export async function startServer(config: ResolvedConfig = loadConfig()): Promise<RunningServer> {
  const dependencies = await createDependencies(config);
  const app = await buildApp(dependencies);
  try {
    const created = await ensureConfiguredAdmin(dependencies);
    if (created) app.log.info({ username: created }, 'created the configured admin account');
    const address = await app.listen({ host: config.server.host, port: config.server.port });
    app.log.info(
      { database: dependencies.database.dialect, dataDir: config.dataDir, registration: config.auth.registration },
      `Colloquy listening on ${address} (API docs at /api/docs)`,
    );
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        await app.close();
        await dependencies.close();
        // The last lines (the shutdown's own) get a moment to go out, never longer.
        await dependencies.flushLogs(2000);
      })());
    return { app, dependencies, address, stop };
  } catch (error) {
    await app.close().catch(() => undefined);
    await dependencies.close().catch(() => undefined);
    throw error;
  }
}

export function describeStartupError(error: unknown): string {
  if (error instanceof ConfigError) return `Configuration error: ${error.message}`;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `Cannot listen: ${(error as Error).message}. Set PORT to a free port.`;
  return `Start-up failed: ${(error as Error).message}`;
}
