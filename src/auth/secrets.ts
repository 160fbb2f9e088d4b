import { createHash, randomBytes } from 'node:crypto';

/** SHA-256 of a high-entropy secret (refresh tokens, API keys); such secrets need no slow hash. */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export const newRefreshToken = (): string => `rt_${randomBytes(32).toString('base64url')}`;

export const apiKeyPrefix = 'sk-';

export const newApiKeySecret = (): string => `${apiKeyPrefix}${randomBytes(30).toString('base64url')}`;

/** How a key is shown after creation: its prefix and last four characters only. */
export const maskApiKey = (keyPrefix: string, keyLast4: string): string => `${keyPrefix}…${keyLast4}`;
