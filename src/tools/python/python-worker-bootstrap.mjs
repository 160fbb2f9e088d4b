// The Python child process starts without tsx's loader (empty execArgv and environment). Beside
// the server's bundle (dist/) the worker is bundled too; beside the sources it registers tsx
// itself, as bin/colloquy.js does for the server, then loads the TypeScript entry.
import { existsSync } from 'node:fs';

const bundled = new URL('./python-worker.mjs', import.meta.url);
if (existsSync(bundled)) {
  await import(bundled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./python-worker.ts');
}
