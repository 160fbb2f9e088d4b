import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface SpawnedServer {
  child: ChildProcess;
  baseUrl: string;
  dataDir: string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<number | string | null>;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Stops it if still alive (SIGTERM, then SIGKILL after 5 s) and removes its data folder. */
  close(): Promise<void>;
}

/**
 * `colloquy serve` as a child process on a fresh data folder and a free port, so a test measures
 * the real server alone (nothing of the test's own clients shares its event loop).
 */
export async function spawnServer(
  options: { env?: Record<string, string>; stdio?: StdioOptions; waitUntilServing?: boolean; nodeArguments?: string[] } = {},
): Promise<SpawnedServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'colloquy-spawned-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...(options.nodeArguments ?? []), 'bin/colloquy.js', 'serve'], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      COLLOQUY_DATA_DIR: dataDir,
      COLLOQUY_JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
      COLLOQUY_ENCRYPTION_KEY: 'test-encryption-key-that-is-long-enough-012345',
      COLLOQUY_OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // Straight from the sources: no bundle is built into the checkout (the bundle has its own test).
      COLLOQUY_NO_BUNDLE: '1',
      ...options.env,
    },
    stdio: options.stdio ?? ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const server: SpawnedServer = {
    child,
    baseUrl,
    dataDir,
    exited,
    stderr: () => stderr,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (options.waitUntilServing !== false) {
    try {
      await waitUntilServing(server);
    } catch (error) {
      await server.close();
      throw error;
    }
  }
  return server;
}

export async function waitUntilServing(server: SpawnedServer, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`the server exited with ${server.child.exitCode}: ${server.stderr()}`);
    try {
      if ((await fetch(`${server.baseUrl}/api/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server did not start: ${server.stderr()}`);
}

/** JSON over plain fetch, with an optional bearer token. */
export async function callJson(baseUrl: string, method: string, url: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed };
}

/** Registers and logs in a user on a spawned server; returns the access token. */
export async function signUpOn(baseUrl: string, username = 'tester'): Promise<string> {
  const password = 'long enough password';
  await callJson(baseUrl, 'POST', '/api/auth/register', { username, email: `${username}@example.test`, password });
  const login = await callJson(baseUrl, 'POST', '/api/auth/login', { username, password });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return login.body.data.token as string;
}
