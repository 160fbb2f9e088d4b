import { hash, verify } from '@node-rs/argon2';
import type { DiagnosticLog } from '../diagnostics.ts';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Whether the password matches. A stored hash that cannot be checked (corrupt, or an unknown
   * format) is a mismatch too, but it is logged, naming `subject` (never the password).
   */
  verify(passwordHash: string, password: string, subject?: { userId: string }): Promise<boolean>;
  /** Spends the same time as a real check, so unknown accounts cannot be told apart by timing. */
  verifyAgainstDummy(password: string): Promise<void>;
}

/**
 * A stored hash starting with `!` says "no password login" (as in /etc/shadow): guest accounts
 * carry one. It is a mismatch by design, not a failure worth logging.
 */
const isNoPasswordMarker = (passwordHash: string) => passwordHash.startsWith('!');

/** argon2id (the library's default algorithm) with configurable cost. */
export function createPasswordHasher(cost: { memoryKib: number; iterations: number }, log: DiagnosticLog): PasswordHasher {
  const options = { memoryCost: cost.memoryKib, timeCost: cost.iterations, parallelism: 1 };
  let dummyHash: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, options),
    async verify(passwordHash, password, subject) {
      if (isNoPasswordMarker(passwordHash)) return false;
      try {
        return await verify(passwordHash, password);
      } catch (error) {
        log.error({ err: error, userId: subject?.userId }, 'password hash could not be verified (corrupt or unsupported stored hash); treated as a mismatch');
        return false;
      }
    },
    async verifyAgainstDummy(password) {
      try {
        dummyHash ??= hash('colloquy-dummy-password', options);
        await verify(await dummyHash, password);
      } catch (error) {
        dummyHash = undefined;
        log.error({ err: error }, 'password hasher failed on the dummy check');
      }
    },
  };
}

export const passwordRules = { minLength: 8, maxLength: 256 } as const;
