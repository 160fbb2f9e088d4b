import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSecretRedactor, redactSecretShapes } from './secret-redaction.ts';

const key = 'sk-canary-Q7wErTy9UiOp3AsDfGh2JkLzXcVb';

describe('createSecretRedactor', () => {
  const redact = createSecretRedactor([key]);

  it('masks the key whole, after Bearer, and inside JSON', () => {
    for (const text of [
      `Incorrect API key provided: ${key}`,
      `Incorrect API key provided: Bearer ${key}.`,
      JSON.stringify({ error: { message: `bad key ${key}`, type: 'invalid_request_error' } }),
    ]) {
      const clean = redact(text);
      assert.ok(!clean.includes(key), clean);
      assert.ok(!clean.includes('Q7wErTy9UiOp3AsD'), clean);
      assert.match(clean, /sk-…XcVb/);
    }
  });

  it('masks a key echoed in part or under another prefix', () => {
    for (const text of [
      `key canary-Q7wErTy9UiOp3AsDf is not valid`,
      `invalid key: ${key.slice(0, 20)}***`,
      `token ${key.slice(12)} rejected`,
      `sk-other-${key.slice(10)}`,
    ]) {
      const clean = redact(text);
      assert.ok(!/Q7wErTy9Ui|Op3AsDfGh2|JkLzXcVb/.test(clean.replace(/…[A-Za-z0-9]{4}/g, '')), `${text} → ${clean}`);
    }
  });

  it('masks what looks like another provider credential, and leaves ordinary text alone', () => {
    const other = [
      'sk-ant-api03-abcdEFGH1234ijklMNOP5678',
      'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q',
      'gsk_1234567890abcdefABCDEF',
      'app-9a8B7c6D5e4F3g2H1i0J',
      'Bearer abc123def456',
      'api_key=hunter2hunter2',
      'x9Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv3Wx',
    ];
    for (const secret of other) {
      const clean = redactSecretShapes(`upstream said: ${secret} is wrong`);
      assert.ok(!clean.includes(secret.replace(/^(Bearer |api_key=)/, '')), `${secret} → ${clean}`);
    }
    const ordinary = 'The model gpt-4o-mini-2024-07-18 answered HTTP 500 for request 3f2c9a1e-4b7d-4c2e-9f00-1a2b3c4d5e6f at my-app-configuration-settings';
    assert.equal(redactSecretShapes(ordinary), ordinary);
  });

  it('handles empty text and short or missing keys', () => {
    assert.equal(createSecretRedactor([undefined, null, 'ab'])('nothing here'), 'nothing here');
    assert.equal(redact(''), '');
  });
});
