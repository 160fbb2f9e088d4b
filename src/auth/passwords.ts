import { hash, verify } from '@node-rs/argon2';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** Spends the same time as a real check, so unknown accounts cannot be told apart by timing. */
  verifyAgainstDummy(password: string): Promise<void>;
}

/** argon2id (the library's default algorithm) with configurable cost. */
export function createPasswordHasher(cost: { memoryKib: number; iterations: number }): PasswordHasher {
  const options = { memoryCost: cost.memoryKib, timeCost: cost.iterations, parallelism: 1 };
  let dummyHash: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, options),
    async verify(passwordHash, password) {
      try {
        return await verify(passwordHash, password);
      } catch {
        return false;
      }
    },
    async verifyAgainstDummy(password) {
      dummyHash ??= hash('colloquy-dummy-password', options);
      await verify(await dummyHash, password).catch(() => false);
    },
  };
}

export const passwordRules = { minLength: 8, maxLength: 256 } as const;
