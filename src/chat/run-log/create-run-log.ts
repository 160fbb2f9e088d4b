import type { Redis } from 'ioredis';
import type { RunLog } from '../run-log.ts';
import { createMemoryRunLog } from './memory-run-log.ts';
import { createRedisRunLog } from './redis-run-log.ts';
import type { ReportError } from './report-error.ts';

/** Redis Streams when the instance has a Redis connection (scaled out), memory otherwise. */
export function createRunLog(options: {
  redis?: Redis;
  keyPrefix: string;
  retentionSeconds: number;
  reportError?: ReportError;
}): RunLog {
  const { redis, keyPrefix, retentionSeconds, reportError } = options;
  if (redis) return createRedisRunLog({ redis, keyPrefix, retentionSeconds, reportError });
  return createMemoryRunLog({ retentionSeconds, reportError });
}
