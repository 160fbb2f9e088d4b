// Worker threads do not inherit tsx's loader on Node 20, so the Python worker registers it
// itself, as bin/colloquy.js does for the main thread, then loads the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./python-worker.ts');
