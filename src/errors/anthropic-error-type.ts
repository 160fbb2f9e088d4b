import { errorCodes, type ErrorCode } from './error-codes.ts';

/**
 * Anthropic's error type for one of our codes. It lives beside the code table because both the
 * HTTP error handler and the streaming encoder name errors the Anthropic way.
 */
export function anthropicErrorType(code: string): string {
  const openai = code in errorCodes ? errorCodes[code as ErrorCode].openai : 'api_error';
  if (code === 'SERVICE_UNAVAILABLE') return 'overloaded_error';
  return openai === 'server_error' || openai === 'timeout_error' ? 'api_error' : openai;
}
