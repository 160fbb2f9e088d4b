import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors/app-error.ts';

export interface RateLimitBudget {
  /** Names the budget; with Redis its keys are `<prefix><name>:<key>`. */
  name: string;
  points: number;
  windowSeconds: number;
}

/** Builds one fixed-window budget: in this process's memory, or in Redis shared by every instance. */
export type RateLimiterFactory = (budget: RateLimitBudget) => RateLimiterAbstract;

/**
 * rate-limiter-flexible counts and compares in one step (a Lua script on Redis, a synchronous
 * update in memory), so parallel requests cannot all pass a check made before any of them counted.
 */
export function createRateLimiterFactory(redis: Redis | undefined, keyPrefix: string): RateLimiterFactory {
  if (!redis) {
    return ({ name, points, windowSeconds }) => new RateLimiterMemory({ keyPrefix: name, points, duration: windowSeconds });
  }
  return ({ name, points, windowSeconds }) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${keyPrefix}${name}`, points, duration: windowSeconds });
}

export type Consumed = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const secondsFrom = (milliseconds: number) => Math.max(1, Math.ceil(milliseconds / 1000));

/**
 * Spends one point. A store that cannot be reached (Redis down) must not let requests through
 * unlimited, nor surface as a 500: the caller answers 503 until it is back.
 */
export async function consumeOne(limiter: RateLimiterAbstract, key: string, unavailable: string): Promise<Consumed> {
  try {
    await limiter.consume(key, 1);
    return { allowed: true };
  } catch (outcome) {
    if (outcome instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: secondsFrom(outcome.msBeforeNext) };
    throw storeUnavailable(unavailable, outcome);
  }
}

/** Runs a refund (reward or delete) with the same fail-closed answer as `consumeOne`. */
export async function refund(operation: () => Promise<unknown>, unavailable: string): Promise<void> {
  try {
    await operation();
  } catch (error) {
    throw storeUnavailable(unavailable, error);
  }
}

function storeUnavailable(what: string, cause: unknown): AppError {
  return new AppError('SERVICE_UNAVAILABLE', `${what} is temporarily unavailable (rate-limit store unreachable); try again shortly`, {
    cause,
    retryAfterSeconds: 5,
  });
}
