import { AppError } from '../errors/app-error.ts';
import { fetchUpstreamModels } from './model-catalog.ts';
import { createLanguageModel } from './model-factory.ts';
import type { ProviderConnection } from './provider-connection.ts';
import { createSecretRedactor } from './secret-redaction.ts';

/** Luxx's `POST /api/providers/{id}/test` answer, plus the one-line summary it shows as `message`. */
export interface ProviderTestResult {
  statusCode: number;
  success: boolean;
  responseBody: string;
  message: string;
}

const maxBodyCharacters = 1000;
const maxSummaryCharacters = 200;
const testTimeoutMs = 30_000;

/** Never echo the key back, even when an upstream repeats it (whole, in part, or another credential). */
function scrubbed(text: string, key: string | undefined): string {
  const clean = createSecretRedactor([key])(text);
  return clean.length > maxBodyCharacters ? `${clean.slice(0, maxBodyCharacters)}…` : clean;
}

function summaryOf(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > maxSummaryCharacters ? `${line.slice(0, maxSummaryCharacters)}…` : line || '(empty body)';
}

/**
 * Sends the provider one tiny request and reports what came back: a one-token chat with `model`
 * when one is known, else a model list. The raw status and body are captured at the fetch, so
 * the report is what the upstream said, whichever wire format it speaks.
 */
export async function testProviderConnection(
  connection: ProviderConnection,
  guardedFetch: typeof globalThis.fetch,
  model: string | undefined,
): Promise<ProviderTestResult> {
  let captured: { status: number; body: string } | undefined;
  const capturingFetch: typeof globalThis.fetch = async (input, init) => {
    const response = await guardedFetch(input, init);
    captured = { status: response.status, body: await response.clone().text() };
    return response;
  };

  let failure: unknown;
  try {
    // A Dify chat would open a conversation in the app; its `/info` answers the same question quietly.
    if (model && connection.wireFormat !== 'dify') {
      await createLanguageModel(connection, model, capturingFetch).doGenerate({
        prompt: [{ role: 'user', content: [{ type: 'text', text: 'ping' }] }],
        maxOutputTokens: 16,
        abortSignal: AbortSignal.timeout(testTimeoutMs),
      });
    } else if (connection.wireFormat === 'azure') {
      return {
        statusCode: 0,
        success: false,
        responseBody: '',
        message: 'Azure providers are tested with a deployment: set default_model or send {"model": …}',
      };
    } else {
      await fetchUpstreamModels(connection, capturingFetch);
    }
  } catch (error) {
    failure = error;
  }

  if (captured) {
    const responseBody = scrubbed(captured.body, connection.apiKey);
    return {
      statusCode: captured.status,
      success: captured.status >= 200 && captured.status < 300,
      responseBody,
      message: `HTTP ${captured.status}: ${summaryOf(responseBody)}`,
    };
  }
  const reason = scrubbed(failure instanceof Error ? failure.message : String(failure), connection.apiKey);
  const blocked = failure instanceof AppError && failure.code === 'OUTBOUND_BLOCKED';
  return {
    statusCode: 0,
    success: false,
    responseBody: reason,
    message: `${blocked ? 'Outbound request blocked' : 'Connection failed'}: ${summaryOf(reason)}`,
  };
}
