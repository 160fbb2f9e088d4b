import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createLocalLease, type Lease } from './lease.ts';

/** Deletes the key only while it still holds this holder's token (a lapsed lease may be someone else's). */
const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** Extends the key only while it still holds this holder's token. */
const renewScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface RedisLeaseOptions {
  keyPrefix: string;
  /** How long a lease outlives a holder that stopped renewing it (a crash). */
  ttlMs?: number;
  reportError?: (error: unknown) => void;
}

/**
 * A Redis lock: `SET key token NX PX ttl` takes it, a compare-and-delete script releases it, and
 * the holder renews it every third of its time while the work runs, so a long run keeps it and a
 * crashed holder's lease lapses within `ttlMs`.
 */
export function createRedisLease(redis: Redis, options: RedisLeaseOptions): Lease {
  const ttlMs = options.ttlMs ?? 60_000;
  const local = createLocalLease();
  return {
    kind: 'redis',
    run: (name, work) =>
      local.run(name, async () => {
        const key = `${options.keyPrefix}lease:${name}`;
        const token = randomUUID();
        if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return { ran: false as const };
        const renewal = setInterval(() => {
          redis.eval(renewScript, 1, key, token, String(ttlMs)).catch((error: unknown) => options.reportError?.(error));
        }, Math.max(1, Math.floor(ttlMs / 3)));
        renewal.unref?.();
        try {
          return { ran: true as const, value: await work() };
        } finally {
          clearInterval(renewal);
          // A release that fails leaves the lease to lapse on its own within `ttlMs`.
          await redis.eval(releaseScript, 1, key, token).catch((error: unknown) => options.reportError?.(error));
        }
      }).then((outcome) => (outcome.ran ? outcome.value : outcome)),
  };
}
