import type { Redis } from 'ioredis';
import { closeRedis } from '../../storage/redis-connection.ts';
import type { ReportError } from './report-error.ts';
import { redisRunKeys, runIdOfStopChannel } from './redis-run-keys.ts';

/** Delivers stop requests published by any instance to the listeners in this process. */
export interface RedisStopChannel {
  subscribe(runId: string, listener: () => void): () => void;
  close(): Promise<void>;
}

interface StopSubscription {
  listener: () => void;
  active: boolean;
}

interface RunSubscriptions {
  subscriptions: Set<StopSubscription>;
  /** Settles once Redis confirmed the SUBSCRIBE, after which no published stop can be missed. */
  subscribed: Promise<unknown>;
}

const ignoreError = () => undefined;

/**
 * One subscriber connection for the whole log, opened on first use, with the listeners of every
 * run multiplexed over it by channel. A stop requested before the channel was subscribed (or
 * while the connection was down) is caught by reading the run's stopRequested flag after each
 * subscribe and after each reconnect. Each listener is called at most once.
 */
export function createRedisStopChannel(options: {
  redis: Redis;
  keyPrefix: string;
  reportError: ReportError;
}): RedisStopChannel {
  const { redis, keyPrefix, reportError } = options;
  const runs = new Map<string, RunSubscriptions>();
  let subscriber: Redis | undefined;
  let closed = false;

  /** After close, failures are only the connection going away under a pending command. */
  function reportUnlessClosed(error: unknown): void {
    if (!closed) reportError(error);
  }

  function deliver(subscription: StopSubscription): void {
    if (!subscription.active) return;
    subscription.active = false;
    try {
      subscription.listener();
    } catch (error) {
      reportError(error);
    }
  }

  function deliverAll(runId: string): void {
    const run = runs.get(runId);
    if (run) for (const subscription of [...run.subscriptions]) deliver(subscription);
  }

  async function deliverIfRequested(runId: string): Promise<void> {
    const flag = await redis.hget(redisRunKeys(keyPrefix, runId).meta, 'stopRequested');
    if (flag === '1') deliverAll(runId);
  }

  function subscriberConnection(): Redis {
    if (subscriber) return subscriber;
    const connection = redis.duplicate({ connectionName: 'colloquy-run-log-stop' });
    // ioredis reconnects and resubscribes by itself; the flags re-read on 'ready' cover the gap.
    connection.on('error', ignoreError);
    connection.on('message', (channel: string) => {
      const runId = runIdOfStopChannel(keyPrefix, channel);
      if (runId !== undefined) deliverAll(runId);
    });
    let readyBefore = false;
    connection.on('ready', () => {
      if (readyBefore) for (const runId of runs.keys()) deliverIfRequested(runId).catch(reportUnlessClosed);
      readyBefore = true;
    });
    subscriber = connection;
    return connection;
  }

  return {
    subscribe(runId, listener) {
      if (closed) return () => undefined;
      const channel = redisRunKeys(keyPrefix, runId).stopChannel;
      let run = runs.get(runId);
      if (!run) {
        run = { subscriptions: new Set(), subscribed: subscriberConnection().subscribe(channel) };
        runs.set(runId, run);
      }
      const subscription: StopSubscription = { listener, active: true };
      run.subscriptions.add(subscription);
      run.subscribed.then(() => (subscription.active ? deliverIfRequested(runId) : undefined)).catch(reportUnlessClosed);
      const owner = run;
      return () => {
        subscription.active = false;
        owner.subscriptions.delete(subscription);
        if (owner.subscriptions.size > 0 || runs.get(runId) !== owner) return;
        runs.delete(runId);
        if (!closed) subscriber?.unsubscribe(channel).catch(reportUnlessClosed);
      };
    },

    async close() {
      closed = true;
      runs.clear();
      if (subscriber) await closeRedis(subscriber);
    },
  };
}
