import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSecretBox, maskSecret, SecretBoxError } from './secret-box.ts';

const currentKey = 'current-encryption-key-that-is-long-enough-0123';
const oldKey = 'old-encryption-key-that-is-long-enough-012345678';
const secret = 'sk-live-0123456789abcdefghijklmnop';

/** Replaces part `index` of a sealed value with `change(part)`. */
function alterPart(sealed: string, index: number, change: (part: string) => string): string {
  const parts = sealed.split('.');
  parts[index] = change(parts[index]!);
  return parts.join('.');
}

const flipFirstCharacter = (part: string): string => (part[0] === 'A' ? 'B' : 'A') + part.slice(1);

describe('secret box', () => {
  it('seals into the v1 envelope and opens it again', () => {
    const box = createSecretBox({ currentKey });
    const sealed = box.seal(secret, 'provider-1');
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.equal(sealed.split('.')[1], box.currentKeyId);
    assert.ok(!sealed.includes(secret));
    assert.deepEqual(box.open(sealed, 'provider-1'), { plaintext: secret, sealedWithCurrentKey: true });
  });

  it('uses a fresh nonce every time', () => {
    const box = createSecretBox({ currentKey });
    assert.notEqual(box.seal(secret, 'provider-1'), box.seal(secret, 'provider-1'));
  });

  it('names the key by a hash of the derived key, never the key itself', () => {
    const box = createSecretBox({ currentKey });
    assert.ok(!currentKey.includes(box.currentKeyId));
    assert.notEqual(box.currentKeyId, createSecretBox({ currentKey: oldKey }).currentKeyId);
    assert.equal(box.currentKeyId, createSecretBox({ currentKey }).currentKeyId, 'stable across restarts');
  });

  it('detects tampering with the ciphertext, the tag, the nonce or the key id, with a clear error', () => {
    const box = createSecretBox({ currentKey });
    const sealed = box.seal(secret, 'provider-1');
    for (const index of [2, 3, 4]) {
      assert.throws(
        () => box.open(alterPart(sealed, index, flipFirstCharacter), 'provider-1'),
        (error: unknown) => error instanceof SecretBoxError && /altered|damaged/.test(error.message),
        `part ${index}`,
      );
    }
    assert.throws(() => box.open(alterPart(sealed, 1, () => 'AAAAAAAA'), 'provider-1'), /neither the current encryption key/);
    assert.throws(() => box.open('not a sealed value', 'provider-1'), /not in the v1 format/);
    assert.throws(() => box.open(alterPart(sealed, 0, () => 'v2'), 'provider-1'), SecretBoxError);
  });

  it('binds a sealed value to its record: it does not open under another id', () => {
    const box = createSecretBox({ currentKey });
    const sealed = box.seal(secret, 'provider-1');
    assert.throws(() => box.open(sealed, 'provider-2'), /altered or belongs to another record/);
  });

  it('rotates: values sealed with a previous key still open, and say they need re-sealing', () => {
    const before = createSecretBox({ currentKey: oldKey });
    const sealedBefore = before.seal(secret, 'provider-1');
    const after = createSecretBox({ currentKey, previousKeys: [oldKey] });
    assert.deepEqual(after.open(sealedBefore, 'provider-1'), { plaintext: secret, sealedWithCurrentKey: false });
    const resealed = after.seal(secret, 'provider-1');
    assert.equal(resealed.split('.')[1], after.currentKeyId);
    assert.equal(createSecretBox({ currentKey }).open(resealed, 'provider-1').plaintext, secret, 'the old key is no longer needed');

    const withoutOldKey = createSecretBox({ currentKey });
    assert.throws(() => withoutOldKey.open(sealedBefore, 'provider-1'), /neither the current encryption key nor one of the previous ones/);
  });

  it('masks keys to a prefix and the last four characters, and short keys further', () => {
    assert.equal(maskSecret('sk-abcdefghijklmnopqrstuvwxyz'), 'sk-…wxyz');
    assert.equal(maskSecret('abcdefghijkl'), '…ijkl');
    assert.equal(maskSecret('short'), '…');
  });
});
