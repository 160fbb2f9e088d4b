/** Messages between the Python pool (server process) and its Python child processes (over Node IPC). */

export interface PythonWorkerSettings {
  memoryLimitBytes: number;
  maxOutputBytes: number;
}

export interface PythonFile {
  path: string;
  data: Uint8Array;
}

export interface PythonRunRequest {
  id: number;
  /** `exec` runs statements (the last expression's value is the result); `eval` one expression. */
  mode: 'exec' | 'eval';
  code: string;
  /** The user's workspace, copied into the interpreter's in-memory `/workspace`. */
  files: PythonFile[];
}

export type PythonWorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | {
      type: 'result';
      id: number;
      /** False when the code raised: `value` is then the traceback. */
      ok: boolean;
      /** `repr()` of the result, or null. */
      value: string | null;
      stdout: string;
      stderr: string;
      outputTruncated: boolean;
      /** Files the run created or changed under `/workspace`. */
      files: PythonFile[];
      /** Size of the interpreter's WebAssembly memory after the run. */
      memoryBytes: number;
    };
