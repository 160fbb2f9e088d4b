import { AppError } from '../errors/app-error.ts';
import type { AttemptCounter } from './attempt-counter.ts';

export interface LoginLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
}

/**
 * Limits failed logins per account identifier and per IP. Unknown identifiers are counted the
 * same way as real ones, so the limiter's answers do not reveal which accounts exist.
 */
export function createLoginLimiter(store: AttemptCounter, limits: LoginLimits) {
  const counter = failClosed(store);
  const accountKey = (identifier: string) => `login:account:${identifier.trim().toLowerCase()}`;
  const ipKey = (ip: string) => `login:ip:${ip}`;

  return {
    /** Throws RATE_LIMITED (with Retry-After) when either budget is spent. */
    async assertAllowed(identifier: string, ip: string): Promise<void> {
      const [account, address] = await Promise.all([counter.peek(accountKey(identifier)), counter.peek(ipKey(ip))]);
      const blocked = [
        account.count >= limits.maxFailuresPerAccount ? account.resetInSeconds : 0,
        address.count >= limits.maxFailuresPerIp ? address.resetInSeconds : 0,
      ];
      const retryAfterSeconds = Math.max(...blocked);
      if (retryAfterSeconds > 0) {
        throw new AppError('RATE_LIMITED', 'too many failed login attempts; try again later', {
          retryAfterSeconds,
        });
      }
    },
    async recordFailure(identifier: string, ip: string): Promise<void> {
      await Promise.all([
        counter.increment(accountKey(identifier), limits.windowSeconds),
        counter.increment(ipKey(ip), limits.windowSeconds),
      ]);
    },
    async recordSuccess(identifier: string): Promise<void> {
      await counter.reset(accountKey(identifier));
    },
  };
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;

/**
 * A store that cannot be reached (Redis down) must not let logins through unlimited, nor surface
 * as a 500: logins answer 503 until it is back.
 */
function failClosed(store: AttemptCounter): AttemptCounter {
  const guard = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('SERVICE_UNAVAILABLE', 'login is temporarily unavailable (rate-limit store unreachable); try again shortly', {
        cause: error,
        retryAfterSeconds: 5,
      });
    }
  };
  return {
    increment: (key, windowSeconds) => guard(() => store.increment(key, windowSeconds)),
    peek: (key) => guard(() => store.peek(key)),
    reset: (key) => guard(() => store.reset(key)),
  };
}
