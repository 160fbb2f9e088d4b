import type { Redis } from 'ioredis';
import type { AttemptCounter } from './attempt-counter.ts';

export const defaultRedisKeyPrefix = 'colloquy:';

/**
 * INCR and, on the first hit, PEXPIRE, in one script so two instances cannot both miss setting
 * the window. A key that somehow has no expiry (written by hand, or by an older version) gets one
 * here too, so it cannot lock an account out forever.
 */
const incrementScript = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

const secondsFrom = (milliseconds: number) => Math.max(1, Math.ceil(milliseconds / 1000));

/**
 * The shared counter for several instances behind one Redis. Keys are prefixed here rather than
 * with ioredis's `keyPrefix` option, so the same connection can serve libraries that refuse one.
 */
export function createRedisAttemptCounter(
  redis: Redis,
  options: { keyPrefix?: string } = {},
): AttemptCounter {
  const prefix = options.keyPrefix ?? defaultRedisKeyPrefix;
  const keyOf = (key: string) => `${prefix}attempts:${key}`;

  return {
    async increment(key, windowSeconds) {
      const [count, ttl] = (await redis.eval(incrementScript, 1, keyOf(key), String(windowSeconds * 1000))) as [
        number,
        number,
      ];
      return { count, resetInSeconds: secondsFrom(ttl) };
    },

    async peek(key) {
      const results = await redis.multi().get(keyOf(key)).pttl(keyOf(key)).exec();
      if (!results) throw new Error('Redis discarded the attempt counter transaction');
      for (const [error] of results) if (error) throw error;
      const count = Number(results[0]![1] ?? 0);
      const ttl = Number(results[1]![1]);
      // PTTL is -2 for a missing key and -1 for one without expiry (the next increment adds one).
      if (count === 0 || ttl === -2) return { count: 0, resetInSeconds: 0 };
      return { count, resetInSeconds: ttl > 0 ? secondsFrom(ttl) : 1 };
    },

    async reset(key) {
      await redis.del(keyOf(key));
    },
  };
}
