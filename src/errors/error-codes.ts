/**
 * The closed list of error codes and the one table mapping each to an HTTP status and a type
 * name. LLMChat's table is the base; the rest extend it.
 */
export const errorCodes = {
  VALIDATION_ERROR: { status: 400, type: 'ValidationError', openai: 'invalid_request_error' },
  UNAUTHORIZED: { status: 401, type: 'AuthenticationError', openai: 'authentication_error' },
  FORBIDDEN: { status: 403, type: 'PermissionError', openai: 'permission_error' },
  NOT_FOUND: { status: 404, type: 'NotFoundError', openai: 'not_found_error' },
  METHOD_NOT_ALLOWED: { status: 405, type: 'MethodNotAllowedError', openai: 'invalid_request_error' },
  CONFLICT: { status: 409, type: 'ConflictError', openai: 'invalid_request_error' },
  PAYLOAD_TOO_LARGE: { status: 413, type: 'PayloadTooLargeError', openai: 'invalid_request_error' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    type: 'UnsupportedMediaTypeError',
    openai: 'invalid_request_error',
  },
  RATE_LIMITED: { status: 429, type: 'RateLimitError', openai: 'rate_limit_error' },
  INTERNAL_ERROR: { status: 500, type: 'InternalError', openai: 'server_error' },
  SERVICE_UNAVAILABLE: { status: 503, type: 'ServiceUnavailableError', openai: 'server_error' },
  /** An outbound request was refused by the guarded HTTP client (SSRF rules, caps). */
  OUTBOUND_BLOCKED: { status: 403, type: 'OutboundBlockedError', openai: 'permission_error' },
  /** The upstream LLM provider failed or answered something we could not read. */
  PROVIDER_ERROR: { status: 502, type: 'ProviderError', openai: 'api_error' },
  /** The upstream LLM provider did not answer, or stalled, within the time allowed. */
  PROVIDER_TIMEOUT: { status: 504, type: 'ProviderTimeoutError', openai: 'timeout_error' },
  /** The thing asked for existed but is gone for good (e.g. an expired run log). */
  GONE: { status: 410, type: 'GoneError', openai: 'not_found_error' },
  /** An MCP server or a plugin API failed, timed out or answered something we could not read. */
  TOOL_UPSTREAM_ERROR: { status: 502, type: 'ToolUpstreamError', openai: 'api_error' },
  // LobeChat's plugin gateway (POST /webapi/plugin/gateway) answers `{errorType, body}`: `type` is
  // the errorType of @lobehub/chat-plugin-sdk, and the status is the one LobeChat's gateway sends
  // (490, its own, for an invalid manifest). `plugin` keeps them out of codeForStatus.
  PLUGIN_MANIFEST_NOT_FOUND: { status: 404, type: 'PluginManifestNotFound', openai: 'not_found_error', plugin: true },
  PLUGIN_API_NOT_FOUND: { status: 404, type: 'PluginApiNotFound', openai: 'not_found_error', plugin: true },
  PLUGIN_MANIFEST_INVALID: { status: 490, type: 'PluginManifestInvalid', openai: 'invalid_request_error', plugin: true },
  PLUGIN_API_PARAMS_ERROR: { status: 422, type: 'PluginApiParamsError', openai: 'invalid_request_error', plugin: true },
  PLUGIN_SETTINGS_INVALID: { status: 422, type: 'PluginSettingsInvalid', openai: 'invalid_request_error', plugin: true },
  PLUGIN_SERVER_ERROR: { status: 500, type: 'PluginServerError', openai: 'api_error', plugin: true },
  PLUGIN_GATEWAY_ERROR: { status: 500, type: 'PluginGatewayError', openai: 'api_error', plugin: true },
  PLUGIN_OPENAPI_INIT_ERROR: { status: 500, type: 'PluginOpenApiInitError', openai: 'api_error', plugin: true },
} as const satisfies Record<string, { status: number; type: string; openai: string; plugin?: true }>;

export type ErrorCode = keyof typeof errorCodes;

/** The code for a bare HTTP status, for errors raised by the framework rather than by us. */
export function codeForStatus(status: number): ErrorCode {
  const match = (Object.keys(errorCodes) as ErrorCode[]).find(
    (code) => errorCodes[code].status === status && !('plugin' in errorCodes[code]),
  );
  if (match) return match;
  return status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR';
}
