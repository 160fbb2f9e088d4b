/**
 * LobeChat's plugin error types (from @lobehub/chat-plugin-sdk) and the statuses its gateway
 * answers them with. The gateway answers failures as `{errorType, body}`, as LobeChat's does.
 */
const statusByType = {
  PluginManifestNotFound: 404,
  PluginApiNotFound: 404,
  PluginManifestInvalid: 490,
  PluginApiParamsError: 422,
  PluginSettingsInvalid: 422,
  PluginServerError: 500,
  PluginGatewayError: 500,
  PluginOpenApiInitError: 500,
} as const;

export type PluginErrorType = keyof typeof statusByType;

export class PluginGatewayError extends Error {
  override name = 'PluginGatewayError';
  readonly errorType: PluginErrorType;
  readonly status: number;
  readonly body: { message: string; [key: string]: unknown };

  constructor(errorType: PluginErrorType, message: string, extra: Record<string, unknown> = {}, status?: number) {
    super(message);
    this.errorType = errorType;
    this.status = status ?? statusByType[errorType];
    this.body = { message, ...extra };
  }
}
