import { AppError } from '../errors/app-error.ts';
import { baseUrlOf } from './model-factory.ts';
import { ollamaRootOf, type ProviderConnection } from './provider-connection.ts';
import { createSecretRedactor, type SecretRedactor } from './secret-redaction.ts';

const errorLine = (message: string): string => `${JSON.stringify({ status: 'error', error: message })}\n`;

/** The upstream's error as text: Ollama sends a string, proxies in front of it sometimes an object. */
function errorValueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') return (value as { message: string }).message;
  return JSON.stringify(value) ?? String(value);
}

/**
 * Ollama reports a failed pull as an `{"error": …}` line; clients get it as a final status line
 * too, masked like every upstream error text (a proxy in front of Ollama may echo its key).
 */
function normalizedLine(line: string, redact: SecretRedactor): { text: string; isError: boolean } {
  try {
    const parsed = JSON.parse(line) as { error?: unknown; status?: unknown };
    if (parsed && typeof parsed === 'object' && parsed.error !== undefined && parsed.status === undefined) {
      return { text: errorLine(redact(errorValueText(parsed.error))), isError: true };
    }
  } catch {
    // Not JSON: passed through as Ollama sent it.
  }
  return { text: `${line}\n`, isError: false };
}

/**
 * Asks Ollama to pull a model and yields its NDJSON progress lines as they arrive. Every way of
 * failing (refused, HTTP error, broken stream) ends with one `{"status":"error","error":…}`
 * line instead of a thrown error, because the client's response has already begun. Aborting
 * `signal` (the client went away) stops reading and cancels the upstream request.
 */
export async function* pullOllamaModel(
  connection: ProviderConnection,
  guardedFetch: typeof globalThis.fetch,
  model: string,
  signal: AbortSignal,
): AsyncGenerator<string> {
  const redact = createSecretRedactor([connection.apiKey]);
  let response: Response;
  try {
    response = await guardedFetch(`${ollamaRootOf(baseUrlOf(connection))}/api/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' },
      // `name` as well as `model`: older Ollama versions read only `name`.
      body: JSON.stringify({ model, name: model, stream: true }),
      signal,
    });
  } catch (error) {
    if (signal.aborted) return;
    const reason = error instanceof AppError ? error.message : `could not reach Ollama: ${(error as Error).message}`;
    yield errorLine(redact(reason));
    return;
  }
  if (!response.ok || !response.body) {
    const text = (await response.text().catch(() => '')).slice(0, 500);
    let message = text;
    try {
      message = String((JSON.parse(text) as { error?: unknown }).error ?? text);
    } catch {
      // A body that is not JSON is reported as it is.
    }
    yield errorLine(redact(`Ollama answered HTTP ${response.status}${message ? `: ${message}` : ''}`));
    return;
  }

  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      pending += decoder.decode(value, { stream: true });
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line) {
          const normalized = normalizedLine(line, redact);
          yield normalized.text;
          if (normalized.isError) return;
        }
        newline = pending.indexOf('\n');
      }
    }
    const rest = (pending + decoder.decode()).trim();
    if (rest) yield normalizedLine(rest, redact).text;
  } catch (error) {
    if (signal.aborted) return;
    yield errorLine(redact(`the pull stream from Ollama broke: ${(error as Error).message}`));
  } finally {
    // Reached on completion, error, or when the consumer stops early (client gone): release the upstream.
    await reader.cancel().catch(() => undefined);
  }
}
