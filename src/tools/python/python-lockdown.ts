import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { PyodideAPI } from 'pyodide';

/**
 * Hardening of a Python child process, in layers, because Python in Pyodide can reach
 * JavaScript objects (`import js`, `pyodide_js`, proxies' constructors):
 * - it is its own OS process (a V8 fatal error ends it, not the server), started with an empty
 *   environment and a V8 heap cap by the pool, so no host variable exists;
 * - WebAssembly memory cannot grow past the limit (Python sees MemoryError);
 * - after Pyodide has loaded, every Node capability is disabled in this thread: file system,
 *   child processes, signals, sockets, HTTP, DNS, workers, VM, module loading, native addons; the
 *   global `fetch`, `WebSocket`, `process` and `require` are removed, and code generation from
 *   strings (`Function`, `eval`) throws, which also closes dynamic `import()`;
 * - Pyodide's own ways out (host mounts, Node socket FS, package loading, stream redirection,
 *   binary file loading) throw.
 * Emscripten's `os.system` goes through `require`, which now throws: Pyodide reports a fatal
 * error and the pool replaces the process. Nothing reaches the host.
 */

const refuse = (what: string) =>
  function refused(): never {
    throw new Error(`${what} is not available in the Python sandbox`);
  };

/** Caps WebAssembly memory; calls `onSize` with each new size. Call before loading Pyodide. */
export function limitWebAssemblyMemory(limitBytes: number, onSize: (bytes: number) => void): void {
  const prototype = WebAssembly.Memory.prototype;
  const grow = prototype.grow;
  Object.defineProperty(prototype, 'grow', {
    value: function limitedGrow(this: WebAssembly.Memory, pages: number): number {
      const next = this.buffer.byteLength + pages * 65_536;
      if (next > limitBytes) throw new RangeError('the Python memory limit is reached');
      const previous = grow.call(this, pages);
      onSize(this.buffer.byteLength);
      return previous;
    },
    writable: false,
    configurable: false,
  });
}

const disabledModules = [
  'fs', 'fs/promises', 'child_process', 'net', 'tls', 'http', 'https', 'http2', 'dgram', 'dns',
  'dns/promises', 'inspector', 'vm', 'os', 'worker_threads', 'module',
];
const disabledGlobals = ['eval', 'process', 'require', 'fetch', 'WebSocket', 'EventSource', 'BroadcastChannel', 'Worker'];

function disableNodeModules(): void {
  const requireBuiltin = createRequire(import.meta.url);
  const modules = disabledModules.map((name) => [name, requireBuiltin(`node:${name}`) as Record<string, unknown>] as const);
  const fileSystem = modules.find(([name]) => name === 'fs')![1] as { promises: Record<string, unknown> };
  for (const key of Object.keys(fileSystem.promises)) fileSystem.promises[key] = refuse(`fs.promises.${key}`);
  // `module` comes last: its `_load` is what loads the others.
  for (const [name, exports] of modules) {
    for (const key of Object.keys(exports)) {
      if (typeof exports[key] !== 'function') continue;
      if (name === 'worker_threads' && key !== 'Worker') continue;
      try {
        exports[key] = refuse(`node:${name}.${key}`);
      } catch {
        // A read-only export stays; the module's other ways in are closed.
      }
    }
  }
  syncBuiltinESMExports();
}

function disableCodeGeneration(): void {
  const blocked = refuse('code generation from strings');
  const constructors = [function () {}, async function () {}, function* () {}, async function* () {}];
  for (const example of constructors) {
    Object.defineProperty(Object.getPrototypeOf(example), 'constructor', { value: blocked, writable: false, configurable: false });
  }
  // Pyodide checks `instanceof Function` and uses Function.prototype; both keep working.
  blocked.prototype = Function.prototype;
  Object.defineProperty(globalThis, 'Function', { value: blocked, writable: false, configurable: false });
}

function disablePyodideEscapes(pyodide: PyodideAPI): void {
  const api = pyodide as unknown as Record<string, unknown>;
  for (const name of ['mountNodeFS', 'mountNativeFS', 'useNodeSockFS', 'loadPackage', 'loadPackagesFromImports', 'registerComlink', 'makeMemorySnapshot', 'setStdout', 'setStderr', 'setStdin']) {
    api[name] = refuse(`pyodide.${name}`);
  }
  const internals = api._api as Record<string, unknown>;
  for (const name of ['loadBinaryFile', 'loadDynlib', 'install', 'initializeNodeSockFS', 'makeSnapshot', 'restoreSnapshot']) {
    internals[name] = refuse(`pyodide._api.${name}`);
  }
  internals.packageManager = undefined;
  const emscripten = api._module as Record<string, unknown> & { FS: { filesystems: Record<string, unknown> } };
  for (const name of ['NODEFS', 'NODERAWFS', 'WORKERFS', 'PROXYFS', 'IDBFS']) {
    delete emscripten.FS.filesystems[name];
    emscripten[name] = undefined;
  }
  for (const name of ['asyncLoad', 'FS_preloadFile', 'FS_createPreloadedFile', 'FS_createLazyFile', 'loadDynamicLibrary', 'loadDylibs']) {
    emscripten[name] = refuse(`Module.${name}`);
  }
}

/** Runs once, after Pyodide and the driver are loaded and before any user code. */
export function lockDownWorker(pyodide: PyodideAPI): void {
  disablePyodideEscapes(pyodide);
  const processObject = globalThis.process as unknown as Record<string, unknown>;
  for (const name of ['binding', '_linkedBinding', 'dlopen', 'kill', '_kill', 'chdir', 'setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'initgroups', 'umask', 'loadEnvFile']) {
    try {
      processObject[name] = refuse(`process.${name}`);
    } catch {
      // Not writable here; `process` itself is removed below.
    }
  }
  disableNodeModules();
  disableCodeGeneration();
  for (const name of disabledGlobals) Reflect.deleteProperty(globalThis, name);
}
