// Child process entry: one Pyodide interpreter, locked down, running one request at a time.
import { Worker } from 'node:worker_threads';
import { loadPyodide, type PyodideAPI } from 'pyodide';
import { pythonDriverSource } from './python-driver.ts';
import { limitWebAssemblyMemory, lockDownWorker } from './python-lockdown.ts';
import type { PythonRunRequest, PythonWorkerMessage, PythonWorkerSettings } from './python-protocol.ts';

// Kept before the lock-down removes the global `process`: the IPC channel to the pool.
const host = process;
const send = (message: PythonWorkerMessage) => host.send!(message);
const settings = JSON.parse(host.argv[2] ?? '{}') as PythonWorkerSettings;
// Without the pool there is nothing to answer to. A busy Python loop blocks this thread (so
// `disconnect` never fires): a watchdog thread kills the process once its parent has gone.
host.on('disconnect', () => host.exit(0));
const watchdog = new Worker(
  `const { workerData } = require('node:worker_threads');
  setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); }, 1000);`,
  { eval: true, workerData: host.ppid, env: {}, resourceLimits: { maxOldGenerationSizeMb: 16 } },
);
watchdog.unref();
const workspaceFolder = '/workspace';

interface OutputCapture {
  chunks: Uint8Array[];
  bytes: number;
  truncated: boolean;
}

const newCapture = (): OutputCapture => ({ chunks: [], bytes: 0, truncated: false });
let stdout = newCapture();
let stderr = newCapture();
let memoryBytes = 0;

function capture(target: () => OutputCapture) {
  return {
    write(buffer: Uint8Array): number {
      const output = target();
      const room = settings.maxOutputBytes - output.bytes;
      if (buffer.length > room) output.truncated = true;
      if (room > 0) {
        const kept = buffer.slice(0, room);
        output.chunks.push(kept);
        output.bytes += kept.length;
      }
      return buffer.length;
    },
  };
}

const decode = (output: OutputCapture) => Buffer.concat(output.chunks).toString('utf8');

type EmscriptenFs = PyodideAPI['FS'];

function removeTree(fs: EmscriptenFs, folder: string): void {
  for (const name of fs.readdir(folder) as string[]) {
    if (name === '.' || name === '..') continue;
    const child = `${folder}/${name}`;
    const mode = fs.lstat(child).mode;
    if (fs.isDir(mode)) {
      removeTree(fs, child);
      fs.rmdir(child);
    } else fs.unlink(child);
  }
}

function listFiles(fs: EmscriptenFs, folder: string, prefix = ''): string[] {
  const found: string[] = [];
  for (const name of fs.readdir(folder) as string[]) {
    if (name === '.' || name === '..') continue;
    const mode = fs.lstat(`${folder}/${name}`).mode;
    const relative = prefix ? `${prefix}/${name}` : name;
    if (fs.isDir(mode)) found.push(...listFiles(fs, `${folder}/${name}`, relative));
    else if (fs.isFile(mode)) found.push(relative);
  }
  return found;
}

const sameBytes = (left: Uint8Array, right: Uint8Array | undefined) =>
  right !== undefined && Buffer.from(left.buffer, left.byteOffset, left.byteLength).equals(right);

async function main(): Promise<void> {
  limitWebAssemblyMemory(settings.memoryLimitBytes, (bytes) => {
    memoryBytes = bytes;
  });
  const pyodide = await loadPyodide({ env: { HOME: workspaceFolder }, jsglobals: Object.create(null) as object });
  pyodide.setStdout(capture(() => stdout));
  pyodide.setStderr(capture(() => stderr));
  pyodide.runPython(pythonDriverSource);
  const runDriver = pyodide.globals.get('_colloquy_run') as (code: string, mode: string) => { toJs(): [boolean, string | null] };
  const fs = pyodide.FS;
  lockDownWorker(pyodide);

  host.on('message', (request: PythonRunRequest) => {
    stdout = newCapture();
    stderr = newCapture();
    if (fs.analyzePath(workspaceFolder).exists) removeTree(fs, workspaceFolder);
    else fs.mkdir(workspaceFolder);
    const given = new Map<string, Uint8Array>();
    for (const file of request.files) {
      const slash = file.path.lastIndexOf('/');
      if (slash > 0) fs.mkdirTree(`${workspaceFolder}/${file.path.slice(0, slash)}`);
      fs.writeFile(`${workspaceFolder}/${file.path}`, file.data);
      given.set(file.path, file.data);
    }
    fs.chdir(workspaceFolder);
    const answer = runDriver(request.code, request.mode);
    const [ok, value] = answer.toJs();
    (answer as unknown as { destroy?: () => void }).destroy?.();
    const changed = fs.analyzePath(workspaceFolder).exists
      ? listFiles(fs, workspaceFolder)
          .map((path) => ({ path, data: fs.readFile(`${workspaceFolder}/${path}`) as Uint8Array }))
          .filter((file) => !sameBytes(file.data, given.get(file.path)))
      : [];
    const message: PythonWorkerMessage = {
      type: 'result',
      id: request.id,
      ok,
      value: value ?? null,
      stdout: decode(stdout),
      stderr: decode(stderr),
      outputTruncated: stdout.truncated || stderr.truncated,
      files: changed,
      memoryBytes,
    };
    send(message);
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: String((error as Error)?.message ?? error) });
});
