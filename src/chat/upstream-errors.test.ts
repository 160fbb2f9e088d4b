import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APICallError } from '@ai-sdk/provider';
import { AppError } from '../errors/app-error.ts';
import { createSecretRedactor } from '../providers/secret-redaction.ts';
import { classifyUpstreamError, retryAfterMilliseconds, UpstreamIdleError } from './upstream-errors.ts';

const apiError = (statusCode: number | undefined, headers: Record<string, string> = {}, isRetryable = false) =>
  new APICallError({ message: 'failed', url: 'https://x/v1', requestBodyValues: {}, statusCode, responseHeaders: headers, responseBody: '{"error":"busy"}', isRetryable });

describe('upstream error classification', () => {
  it('reads Retry-After as seconds, as an HTTP date, and retry-after-ms', () => {
    assert.equal(retryAfterMilliseconds({ 'retry-after': '2' }), 2000);
    assert.equal(retryAfterMilliseconds({ 'retry-after-ms': '150', 'retry-after': '9' }), 150);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterMilliseconds({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }, now), 3000);
    assert.equal(retryAfterMilliseconds({ 'retry-after': 'soon' }), undefined);
    assert.equal(retryAfterMilliseconds(undefined), undefined);
  });

  it('retries 429 and 5xx with the asked delay, not 400', () => {
    const limited = classifyUpstreamError(apiError(429, { 'retry-after': '1' }), 'Fake');
    assert.equal(limited.code, 'RATE_LIMITED');
    assert.equal(limited.retryable, true);
    assert.equal(limited.retryAfterMs, 1000);
    assert.match(limited.message, /Fake answered HTTP 429: \{"error":"busy"\}/);
    assert.equal(classifyUpstreamError(apiError(503), 'Fake').retryable, true);
    assert.equal(classifyUpstreamError(apiError(400), 'Fake').retryable, false);
  });

  it('retries connection failures and stalls, never refused destinations or malformed streams', () => {
    assert.equal(classifyUpstreamError(apiError(undefined, {}, true), 'Fake').retryable, true);
    assert.equal(classifyUpstreamError(new UpstreamIdleError('no data'), 'Fake').code, 'PROVIDER_TIMEOUT');
    const blocked = classifyUpstreamError(new AppError('OUTBOUND_BLOCKED', 'refused 127.0.0.1'), 'Fake');
    assert.deepEqual([blocked.code, blocked.retryable], ['OUTBOUND_BLOCKED', false]);
    const malformed = classifyUpstreamError(new SyntaxError('Unexpected token in JSON'), 'Fake');
    assert.equal(malformed.retryable, false);
    assert.match(malformed.message, /malformed/);
  });

  it('reads an error object (an AI SDK error chunk, a mid-stream {"error": …} frame) as its message, never [object Object]', () => {
    const chunk = classifyUpstreamError({ message: 'The server had an error', type: 'server_error', param: null, code: null }, 'Fake');
    assert.equal(chunk.message, 'Fake failed: The server had an error (server_error)');
    assert.equal(classifyUpstreamError({ error: { message: 'overloaded' } }, 'Fake').message, 'Fake failed: overloaded');
    assert.equal(classifyUpstreamError({ detail: 42 }, 'Fake').message, 'Fake failed: {"detail":42}');
    assert.equal(classifyUpstreamError(undefined, 'Fake').message, 'Fake failed: unknown error');
  });

  it('masks the key, and anything shaped like a credential, in every message it makes', () => {
    const key = 'sk-test-9f8E7d6C5b4A3f2E1d0C9b8A';
    const redact = createSecretRedactor([key]);
    const echoed = new APICallError({
      message: `Incorrect API key provided: Bearer ${key}`, url: 'https://x/v1', requestBodyValues: {}, statusCode: 401,
      responseBody: JSON.stringify({ error: { message: `Incorrect API key provided: Bearer ${key}` } }), isRetryable: false,
    });
    for (const error of [echoed, new Error(`socket closed, key ${key}`), { message: `bad key ${key.slice(0, 20)}` }]) {
      const { message } = classifyUpstreamError(error, 'Fake', redact);
      assert.ok(!message.includes(key.slice(8, 20)), message);
    }
    // Without the provider's redactor, the shapes of keys are still masked.
    assert.ok(!classifyUpstreamError(new Error(`bad key ${key}`), 'Fake').message.includes(key));
  });
});
