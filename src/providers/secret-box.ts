import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for provider API keys at rest. The stored form is
 * `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). `keyId` names the key that sealed it, so
 * the encryption key can rotate: the previous keys still open old values, and the caller
 * re-seals them with the current key on the next write.
 */
export interface SecretBox {
  /** Id of the current key (a short hash of the derived key, never the key). */
  readonly currentKeyId: string;
  /** Seals a secret; `context` (e.g. the row id) is bound in, so a value cannot be moved to another row. */
  seal(plaintext: string, context: string): string;
  /** Opens a sealed value; throws SecretBoxError when it was altered or sealed with an unknown key. */
  open(sealed: string, context: string): { plaintext: string; sealedWithCurrentKey: boolean };
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

const version = 'v1';
const ivBytes = 12;
const tagBytes = 16;

interface DerivedKey {
  id: string;
  key: Buffer;
}

function deriveKey(secret: string): DerivedKey {
  // HKDF rather than the raw setting: the same setting also keys other things, each with its own `info`.
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'colloquy', 'provider-api-keys/v1', 32));
  const id = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  return { id, key };
}

const additionalData = (keyId: string, context: string): Buffer => Buffer.from(`${version}.${keyId}.${context}`, 'utf8');

export function createSecretBox(settings: { currentKey: string; previousKeys?: readonly string[] }): SecretBox {
  const current = deriveKey(settings.currentKey);
  const keys = new Map<string, Buffer>([[current.id, current.key]]);
  for (const previous of settings.previousKeys ?? []) {
    const derived = deriveKey(previous);
    if (!keys.has(derived.id)) keys.set(derived.id, derived.key);
  }

  return {
    currentKeyId: current.id,

    seal(plaintext, context) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv, { authTagLength: tagBytes });
      cipher.setAAD(additionalData(current.id, context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [version, current.id, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
    },

    open(sealed, context) {
      const parts = sealed.split('.');
      if (parts.length !== 5 || parts[0] !== version) {
        throw new SecretBoxError(`sealed secret is not in the ${version} format`);
      }
      const [, keyId, ivText, tagText, ciphertextText] = parts as [string, string, string, string, string];
      const key = keys.get(keyId);
      if (!key) {
        throw new SecretBoxError(
          `sealed with key ${keyId}, which is neither the current encryption key nor one of the previous ones`,
        );
      }
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      if (iv.length !== ivBytes || tag.length !== tagBytes) {
        throw new SecretBoxError('sealed secret is damaged (bad nonce or tag length)');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
        decipher.setAAD(additionalData(keyId, context));
        decipher.setAuthTag(tag);
        const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]);
        return { plaintext: plaintext.toString('utf8'), sealedWithCurrentKey: keyId === current.id };
      } catch (error) {
        throw new SecretBoxError('sealed secret failed authentication: it was altered or belongs to another record', {
          cause: error,
        });
      }
    },
  };
}

/** How a key is shown: a recognisable prefix and the last four characters, never enough to use. */
export function maskSecret(secret: string): string {
  const prefix = secret.length >= 16 ? secret.slice(0, 3) : '';
  const suffix = secret.length >= 12 ? secret.slice(-4) : '';
  return `${prefix}…${suffix}`;
}
