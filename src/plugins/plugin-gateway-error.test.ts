import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeForStatus, errorCodes, type ErrorCode } from '../errors/error-codes.ts';
import { PluginGatewayError, type PluginErrorType } from './plugin-gateway-error.ts';

/** LobeChat's plugin error types (@lobehub/chat-plugin-sdk) and the statuses its gateway answers. */
const lobeChatStatuses: Record<PluginErrorType, number> = {
  PluginManifestNotFound: 404,
  PluginApiNotFound: 404,
  PluginManifestInvalid: 490,
  PluginApiParamsError: 422,
  PluginSettingsInvalid: 422,
  PluginServerError: 500,
  PluginGatewayError: 500,
  PluginOpenApiInitError: 500,
};

describe('the plugin gateway errors in the one error table', () => {
  it('has an entry for each LobeChat error type, named as LobeChat names it, with its status', () => {
    const entries = Object.values(errorCodes as Record<string, { status: number; type: string }>);
    for (const [errorType, status] of Object.entries(lobeChatStatuses)) {
      const entry = entries.find((candidate) => candidate.type === errorType);
      assert.ok(entry, `${errorType} is in errors/error-codes.ts`);
      assert.equal(entry.status, status, errorType);
    }
  });

  it('builds each gateway error from its table entry: code, status and the errorType sent on the wire', () => {
    for (const errorType of Object.keys(lobeChatStatuses) as PluginErrorType[]) {
      const error = new PluginGatewayError(errorType, 'what went wrong', { extra: 1 });
      const entry = errorCodes[error.code as ErrorCode];
      assert.equal(entry.type, errorType);
      assert.equal(error.errorType, errorType);
      assert.equal(error.status, entry.status);
      assert.deepEqual(error.body, { message: 'what went wrong', extra: 1 });
    }
    assert.equal(new PluginGatewayError('PluginGatewayError', 'unreachable', {}, 502).status, 502, 'a status given overrides the table');
  });

  it('never maps a bare framework status to a plugin code', () => {
    assert.equal(codeForStatus(404), 'NOT_FOUND');
    assert.equal(codeForStatus(422), 'VALIDATION_ERROR');
    assert.equal(codeForStatus(490), 'VALIDATION_ERROR');
    assert.equal(codeForStatus(500), 'INTERNAL_ERROR');
  });
});
