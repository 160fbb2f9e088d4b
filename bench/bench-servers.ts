import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'undici';
import { freePort, scratchDirectory, startServer, type ServerProcess } from './child-processes.ts';
import { sendOnce } from './load.ts';

export const repositoryRoot = path.resolve(import.meta.dirname, '..');
const portkeyEntry = path.join(repositoryRoot, 'node_modules/@portkey-ai/gateway/build/start-server.js');

/** Children get a clean environment: only what each server needs, nothing from ours. */
const baseEnvironment = (): Record<string, string> => ({ TZ: 'UTC', NODE_ENV: 'production' });

export async function startUpstream(): Promise<ServerProcess> {
  const port = await freePort();
  return startServer({
    name: 'upstream',
    args: [path.join(repositoryRoot, 'bench/servers/fake-upstream.mjs'), String(port)],
    env: baseEnvironment(),
    port,
    readyPath: '/v1/models',
  });
}

export async function startFloor(upstream: ServerProcess): Promise<ServerProcess> {
  const port = await freePort();
  return startServer({
    name: 'floor',
    args: [path.join(repositoryRoot, 'bench/servers/floor-proxy.mjs'), String(port), upstream.origin],
    env: baseEnvironment(),
    port,
    readyPath: '/v1/models',
  });
}

export interface ColloquyOptions {
  /** Write a V8 CPU profile into this directory when the server stops. */
  cpuProfileDirectory?: string;
}

export async function startColloquy(upstream: ServerProcess, options: ColloquyOptions = {}): Promise<ServerProcess> {
  const port = await freePort();
  const profile = options.cpuProfileDirectory ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDirectory}`] : [];
  return startServer({
    name: 'colloquy',
    args: [...profile, path.join(repositoryRoot, 'bin/colloquy.js'), 'serve'],
    cwd: repositoryRoot,
    env: {
      ...baseEnvironment(),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      COLLOQUY_DATA_DIR: scratchDirectory('colloquy-data-'),
      COLLOQUY_JWT_SECRET: randomBytes(32).toString('hex'),
      COLLOQUY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      COLLOQUY_OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
      COLLOQUY_REGISTRATION: 'open',
      OPENAI_BASE_URL: `${upstream.origin}/v1`,
      OPENAI_API_KEY: 'sk-bench-upstream',
    },
    port,
    readyPath: '/api/health',
    startTimeoutMs: 60_000,
  });
}

/** Portkey's gateway from node_modules, or the reason it cannot run here. */
export async function startPortkey(): Promise<ServerProcess | { unavailable: string }> {
  if (!existsSync(portkeyEntry)) return { unavailable: '@portkey-ai/gateway is not installed (npm install)' };
  const port = await freePort();
  try {
    return await startServer({
      name: 'portkey',
      args: [portkeyEntry, `--port=${port}`, '--headless'],
      env: baseEnvironment(),
      port,
      readyPath: '/',
    });
  } catch (error) {
    return { unavailable: `Portkey did not start: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** The account the benchmark drives Colloquy with: an access token and an API key. */
export interface ColloquyAccount {
  accessToken: string;
  apiKey: string;
}

export async function createAccount(colloquy: ServerProcess): Promise<ColloquyAccount> {
  const pool = new Pool(colloquy.origin, { connections: 1 });
  try {
    const password = `bench-${randomBytes(12).toString('hex')}`;
    await sendOnce(pool, { path: '/api/auth/register', headers: {}, body: { username: 'bench', email: 'bench@example.com', password } });
    const login = JSON.parse(await sendOnce(pool, { path: '/api/auth/login', headers: {}, body: { username: 'bench', password } }));
    const accessToken: string = login.data.access_token;
    const key = JSON.parse(
      await sendOnce(pool, { path: '/api/api-keys', headers: { authorization: `Bearer ${accessToken}` }, body: { name: 'bench' } }),
    );
    const apiKey: string = key.key ?? key.data?.key;
    if (!accessToken || !apiKey) throw new Error('login or API key answer had no token');
    return { accessToken, apiKey };
  } finally {
    await pool.close();
  }
}

/** Creates a conversation on the env-openai provider; its id. */
export async function createConversation(colloquy: ServerProcess, account: ColloquyAccount, model: string): Promise<string> {
  const pool = new Pool(colloquy.origin, { connections: 1 });
  try {
    const answer = JSON.parse(
      await sendOnce(pool, {
        path: '/api/conversations',
        headers: { authorization: `Bearer ${account.accessToken}` },
        body: { title: 'bench', provider_id: 'env-openai', model },
      }),
    );
    const id: string | undefined = answer.data?.id ?? answer.id;
    if (!id) throw new Error(`conversation answer had no id: ${JSON.stringify(answer).slice(0, 200)}`);
    return id;
  } finally {
    await pool.close();
  }
}
