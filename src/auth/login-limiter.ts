import { AppError } from '../errors/app-error.ts';
import { loginKey } from '../storage/repositories/users-repository.ts';
import { consumeOne, refund, type RateLimiterFactory } from './rate-limits.ts';

export interface LoginLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
}

/**
 * Whose budget an attempt spends: the account once the identifier names one (so its username and
 * its email share one budget), else the normalised identifier. Unknown identifiers are counted
 * the same way as real ones, so the limiter's answers do not reveal which accounts exist.
 */
export type LoginAccount = { userId: string } | { identifier: string };

const accountKey = (account: LoginAccount) =>
  'userId' in account ? `user:${account.userId}` : `name:${loginKey(account.identifier)}`;

const unavailable = 'login';

/**
 * Limits logins per account and per IP address. Every attempt is counted before the password is
 * checked, so parallel guesses cannot all pass a check made before any of them failed; a success
 * refunds what it spent.
 */
export function createLoginLimiter(limiters: RateLimiterFactory, limits: LoginLimits) {
  const perAccount = limiters({ name: 'login-account', points: limits.maxFailuresPerAccount, windowSeconds: limits.windowSeconds });
  const perIp = limiters({ name: 'login-ip', points: limits.maxFailuresPerIp, windowSeconds: limits.windowSeconds });

  return {
    /** Spends one attempt of both budgets; throws RATE_LIMITED (with Retry-After) when either is spent. */
    async consume(account: LoginAccount, ip: string): Promise<void> {
      const results = await Promise.all([
        consumeOne(perAccount, accountKey(account), unavailable),
        consumeOne(perIp, ip, unavailable),
      ]);
      const retryAfterSeconds = Math.max(0, ...results.map((result) => (result.allowed ? 0 : result.retryAfterSeconds)));
      if (retryAfterSeconds > 0) {
        throw new AppError('RATE_LIMITED', 'too many failed login attempts; try again later', { retryAfterSeconds });
      }
    },

    /**
     * The account's budget starts over: whoever knows the password may guess it again. The
     * address gets back only this attempt, not its earlier failures: deleting its key would let
     * someone with one account of their own wipe their failures against others between guesses.
     */
    async succeeded(account: LoginAccount, ip: string): Promise<void> {
      await Promise.all([
        refund(() => perAccount.delete(accountKey(account)), unavailable),
        refund(() => perIp.reward(ip, 1), unavailable),
      ]);
    },
  };
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;
