import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** How `POST /api/pull` behaves; chat goes through Ollama's OpenAI-compatible /v1 and the script queue. */
export interface FakePullBehavior {
  /** Fails after `pulling manifest` with `{"error": …}` (HTTP 500 instead when the request says `stream: false`). */
  error?: string;
  /** Pause between progress lines, so a test can watch progress arrive. */
  stepDelayMs?: number;
}

const layerSize = 4_000_000;

/** `GET /api/tags`. */
export function ollamaTags(models: string[]): unknown {
  return {
    models: models.map((name) => ({
      name,
      model: name,
      modified_at: '2025-01-01T00:00:00Z',
      size: layerSize,
      digest: digestOf(name),
      details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '1B', quantization_level: 'Q4_K_M' },
    })),
  };
}

/**
 * Answers `POST /api/pull` as Ollama does: NDJSON progress lines ending in `{"status":"success"}`,
 * or one `{"status":"success"}` body for `stream: false`. Returns whether the pull succeeded.
 */
export async function playPull(
  response: ServerResponse,
  requestBody: unknown,
  behavior: FakePullBehavior,
  wait: (milliseconds: number) => Promise<boolean>,
): Promise<boolean> {
  const body = (requestBody ?? {}) as { model?: unknown; name?: unknown; stream?: unknown };
  const model = String(body.model ?? body.name ?? '');
  if (body.stream === false) {
    if (!(await wait(behavior.stepDelayMs ?? 0))) return false;
    const failed = behavior.error !== undefined;
    response.writeHead(failed ? 500 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(failed ? { error: behavior.error } : { status: 'success' }));
    return !failed;
  }
  const digest = digestOf(model);
  const lines: unknown[] =
    behavior.error === undefined
      ? [
          { status: 'pulling manifest' },
          ...[0, layerSize / 2, layerSize].map((completed) => ({ status: `downloading ${digest}`, digest, total: layerSize, completed })),
          { status: 'verifying sha256 digest' },
          { status: 'writing manifest' },
          { status: 'success' },
        ]
      : [{ status: 'pulling manifest' }, { error: behavior.error }];
  response.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const [index, line] of lines.entries()) {
    if (index > 0 && !(await wait(behavior.stepDelayMs ?? 0))) return false;
    response.write(`${JSON.stringify(line)}\n`);
  }
  response.end();
  return behavior.error === undefined;
}

function digestOf(name: string): string {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}
