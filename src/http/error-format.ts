import { anthropicErrorType } from '../errors/anthropic-error-type.ts';
import type { AppError } from '../errors/app-error.ts';
import { errorCodes } from '../errors/error-codes.ts';

/**
 * How a route family shapes its errors: the API.md envelope, StellarByte's bare FastAPI-style
 * `{detail}`, OpenAI's `{error:{message,type,code}}`, or Anthropic's `{type:"error",error:{type,message}}`. Every error body comes from here.
 */
export type ErrorFormat = 'envelope' | 'bare' | 'openai' | 'anthropic';

export function renderError(error: AppError, format: ErrorFormat, requestId?: string): unknown {
  switch (format) {
    case 'bare':
      return { detail: error.message, code: error.code };
    case 'anthropic':
      return { type: 'error', error: { type: anthropicErrorType(error.code), message: error.message }, ...(requestId ? { request_id: requestId } : {}) };
    case 'openai':
      return {
        error: { message: error.message, type: errorCodes[error.code].openai, code: error.code.toLowerCase(), param: null },
      };
    default:
      return {
        success: false,
        code: error.code,
        message: error.message,
        error: {
          type: error.type,
          ...(error.details === undefined ? {} : { details: error.details }),
        },
        ...(requestId ? { requestId } : {}),
        timestamp: new Date().toISOString(),
      };
  }
}
