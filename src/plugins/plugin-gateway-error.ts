import { errorCodes, type ErrorCode } from '../errors/error-codes.ts';

/** The codes of errors/error-codes.ts that are LobeChat plugin gateway errors. */
export type PluginErrorCode = { [Code in ErrorCode]: (typeof errorCodes)[Code] extends { plugin: true } ? Code : never }[ErrorCode];

/** LobeChat's plugin error types (from @lobehub/chat-plugin-sdk): the `type` of those codes. */
export type PluginErrorType = (typeof errorCodes)[PluginErrorCode]['type'];

const codeByType = Object.fromEntries(
  Object.entries(errorCodes)
    .filter(([, entry]) => 'plugin' in entry)
    .map(([code, entry]) => [entry.type, code]),
) as Record<PluginErrorType, PluginErrorCode>;

/** A plugin gateway failure, answered as `{errorType, body}` as LobeChat's gateway does. */
export class PluginGatewayError extends Error {
  override name = 'PluginGatewayError';
  readonly code: PluginErrorCode;
  readonly errorType: PluginErrorType;
  readonly status: number;
  readonly body: { message: string; [key: string]: unknown };

  constructor(errorType: PluginErrorType, message: string, extra: Record<string, unknown> = {}, status?: number) {
    super(message);
    this.code = codeByType[errorType];
    this.errorType = errorType;
    this.status = status ?? errorCodes[this.code].status;
    this.body = { message, ...extra };
  }
}
