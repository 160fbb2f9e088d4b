import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APICallError } from '@ai-sdk/provider';
import { AppError } from '../errors/app-error.ts';
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
});
