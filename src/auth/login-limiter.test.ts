import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { createMemoryAttemptCounter, type AttemptCounter } from './attempt-counter.ts';
import { createLoginLimiter } from './login-limiter.ts';

const limits = { maxFailuresPerAccount: 2, maxFailuresPerIp: 3, windowSeconds: 60 };

describe('login limiter', () => {
  it('blocks an account after its failures, and by IP across accounts, until the window ends', async () => {
    let now = 1_000_000;
    const limiter = createLoginLimiter(createMemoryAttemptCounter(() => new Date(now)), limits);
    await limiter.recordFailure('Alice', '1.1.1.1');
    await limiter.recordFailure('alice', '1.1.1.1');
    await assert.rejects(limiter.assertAllowed('ALICE', '2.2.2.2'), (error: unknown) => error instanceof AppError && error.code === 'RATE_LIMITED' && error.retryAfterSeconds === 60);
    await limiter.recordFailure('bob', '1.1.1.1');
    await assert.rejects(limiter.assertAllowed('carol', '1.1.1.1'), /too many failed login attempts/);
    await limiter.assertAllowed('carol', '3.3.3.3');
    now += 61_000;
    await limiter.assertAllowed('alice', '1.1.1.1');
  });

  it('answers 503, not 500 and not "allowed", when the store is unreachable', async () => {
    const broken: AttemptCounter = {
      increment: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:6379'); },
      peek: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:6379'); },
      reset: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:6379'); },
    };
    const limiter = createLoginLimiter(broken, limits);
    await assert.rejects(limiter.assertAllowed('alice', '1.1.1.1'), (error: unknown) => error instanceof AppError && error.code === 'SERVICE_UNAVAILABLE' && error.status === 503);
    await assert.rejects(limiter.recordFailure('alice', '1.1.1.1'), (error: unknown) => error instanceof AppError && error.code === 'SERVICE_UNAVAILABLE');
  });
});
