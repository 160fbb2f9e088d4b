import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { request } from 'undici';

/** A server the benchmark started: its pid for /proc, where it listens, and how long it took. */
export interface ServerProcess {
  name: string;
  pid: number;
  port: number;
  origin: string;
  /** Spawn to the first 200 on the ready path, in ms. */
  coldStartMs: number;
  logFile: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
const scratchDirectories = new Set<string>();
export const benchScratch = mkdtempSync(path.join(tmpdir(), 'colloquy-bench-'));
scratchDirectories.add(benchScratch);

function killEverything(): void {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  running.clear();
  for (const directory of scratchDirectories) rmSync(directory, { recursive: true, force: true });
  scratchDirectories.clear();
}

// Every child dies with the benchmark, whether it ends normally, fails or is interrupted.
process.once('exit', killEverything);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping every server it started\n`);
    killEverything();
    process.exit(130);
  });
}

export function scratchDirectory(prefix: string): string {
  const directory = mkdtempSync(path.join(benchScratch, prefix));
  return directory;
}

async function firstOk(origin: string, readyPath: string, child: ChildProcess, deadline: number, logFile: string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before answering; log:\n${tail(logFile)}`);
    }
    try {
      const answer = await request(`${origin}${readyPath}`, { headersTimeout: 1000, bodyTimeout: 1000 });
      await answer.body.dump();
      if (answer.statusCode === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`no 200 on ${readyPath} within the start timeout; log:\n${tail(logFile)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function tail(logFile: string, lines = 20): string {
  try {
    return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface ServerSpec {
  name: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  readyPath: string;
  cwd?: string;
  startTimeoutMs?: number;
}

/** Spawns a server under this node and waits for its first 200. */
export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  const logFile = path.join(benchScratch, `${spec.name.replace(/\W+/g, '-')}-${spec.port}.log`);
  const log = openSync(logFile, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', log, log] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const origin = `http://127.0.0.1:${spec.port}`;
  try {
    await firstOk(origin, spec.readyPath, child, Date.now() + (spec.startTimeoutMs ?? 30_000), logFile);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${spec.name}: ${(error as Error).message}`);
  }
  const coldStartMs = performance.now() - started;
  return {
    name: spec.name,
    pid: child.pid!,
    port: spec.port,
    origin,
    coldStartMs,
    logFile,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** A port free right now on 127.0.0.1, for the next server. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
