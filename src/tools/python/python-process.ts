import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PythonRunRequest, PythonWorkerSettings } from './python-protocol.ts';

/** How much of the child's stderr is kept to explain a crash (V8 prints its fatal error there). */
const stderrTailBytes = 4096;

const bootstrapPath = fileURLToPath(new URL('./python-worker-bootstrap.mjs', import.meta.url));

export interface PythonProcess {
  child: ChildProcess;
  send(request: PythonRunRequest): void;
  /** Calls `listener` once when the process has gone, whatever the cause; answers an unsubscribe. */
  onGone(listener: (reason: string) => void): () => void;
  kill(): void;
}

/**
 * One Pyodide interpreter in its own OS process: a V8 fatal error (heap limit) or any crash
 * ends that process only, never the server. The child gets an empty environment, no inherited
 * stdio, a V8 heap cap of `memoryMb`, and talks to the pool over Node's IPC channel.
 */
export function startPythonProcess(settings: PythonWorkerSettings, memoryMb: number): PythonProcess {
  const child = fork(bootstrapPath, [JSON.stringify(settings)], {
    execArgv: [`--max-old-space-size=${memoryMb}`, '--max-semi-space-size=16'],
    // Node adds only its IPC variables (NODE_CHANNEL_FD, NODE_CHANNEL_SERIALIZATION_MODE).
    env: {},
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-stderrTailBytes);
  });
  let gone: string | undefined;
  const listeners: ((reason: string) => void)[] = [];
  const markGone = (reason: string) => {
    if (gone !== undefined) return;
    gone = reason;
    for (const listener of listeners.splice(0)) listener(reason);
  };
  // `close` comes after stderr has ended, so the tail holds V8's last words.
  child.once('close', (code, signal) => markGone(describeExit(code, signal, stderrTail)));
  child.on('error', (error) => {
    markGone(`the Python process failed: ${error.message}`);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    send(request) {
      if (!child.connected) return markGone('the Python process is no longer connected');
      child.send(request, (error) => {
        if (error) {
          markGone(`the Python process could not be reached: ${error.message}`);
          child.kill('SIGKILL');
        }
      });
    },
    onGone(listener) {
      if (gone !== undefined) listener(gone);
      else listeners.push(listener);
      return () => {
        const index = listeners.indexOf(listener);
        if (index !== -1) listeners.splice(index, 1);
      };
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

function describeExit(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): string {
  if (/heap limit|out of memory|allocation failed/i.test(stderrTail)) return 'the Python process ran out of memory and was terminated';
  if (signal === 'SIGKILL') return 'the Python process was killed';
  if (signal) return `the Python process was terminated (${signal})`;
  return `the Python process exited (code ${code ?? 'unknown'})`;
}
