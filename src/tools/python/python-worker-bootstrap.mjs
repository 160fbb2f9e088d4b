// The Python child process starts without tsx's loader (empty execArgv and environment), so
// it registers it itself, as bin/colloquy.js does for the server, then loads the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./python-worker.ts');
