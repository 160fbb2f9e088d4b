import type { Redis } from 'ioredis';
import { closeRedis } from '../../storage/redis-connection.ts';

/**
 * Connections for blocking reads. XREAD BLOCK holds its connection until data arrives, so it can
 * never run on the shared command connection; each live reader borrows one of these instead.
 */
export interface RedisReaderPool {
  acquire(): Redis;
  /** Returns a connection; one that was interrupted or failed is dropped rather than reused. */
  release(connection: Redis, reusable: boolean): void;
  /** Disconnects borrowed connections, which ends their blocked reads, and quits idle ones. */
  close(): Promise<void>;
}

const ignoreError = () => undefined;

export function createRedisReaderPool(redis: Redis, maximumIdle: number): RedisReaderPool {
  const idle: Redis[] = [];
  const borrowed = new Set<Redis>();
  let closed = false;

  function open(): Redis {
    const connection = redis.duplicate({ connectionName: 'colloquy-run-log-reader' });
    // Failures reach the reader through its rejected command; the event would only repeat them.
    connection.on('error', ignoreError);
    return connection;
  }

  return {
    acquire() {
      if (closed) throw new Error('the run log is closed');
      const connection = idle.pop() ?? open();
      borrowed.add(connection);
      return connection;
    },

    release(connection, reusable) {
      borrowed.delete(connection);
      if (reusable && !closed && connection.status === 'ready' && idle.length < maximumIdle) idle.push(connection);
      else connection.disconnect();
    },

    async close() {
      closed = true;
      for (const connection of borrowed) connection.disconnect();
      borrowed.clear();
      await Promise.all(idle.splice(0).map((connection) => closeRedis(connection)));
    },
  };
}
