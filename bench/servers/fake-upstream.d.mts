export interface UpstreamScript {
  delayMs: number;
  chunks: number;
  intervalMs: number;
}
export function scriptOf(model: string): UpstreamScript;
export function tokenText(index: number): string;
export function startFakeUpstream(port?: number): Promise<{ port: number; url: string; close(): Promise<void> }>;
