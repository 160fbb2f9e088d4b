import type { ChatEvent } from '../chat-event.ts';
import type { RunEvent } from '../run-log.ts';

export interface RedisRunKeys {
  /** The stream of events: event seq n has id `0-n`, and finishing adds the end marker. */
  events: string;
  /** Hash: userId, finished ('0' | '1'), stopRequested ('0' | '1'). */
  meta: string;
  /** Pub/sub channel a stop request is published on. */
  stopChannel: string;
}

export function redisRunKeys(keyPrefix: string, runId: string): RedisRunKeys {
  const base = `${keyPrefix}run:${runId}:`;
  return { events: `${base}events`, meta: `${base}meta`, stopChannel: `${base}stop` };
}

/** The run id a stop channel belongs to, or undefined for a channel that is not one. */
export function runIdOfStopChannel(keyPrefix: string, channel: string): string | undefined {
  const head = `${keyPrefix}run:`;
  const tail = ':stop';
  if (!channel.startsWith(head) || !channel.endsWith(tail)) return undefined;
  return channel.slice(head.length, channel.length - tail.length);
}

/**
 * Stream ids carry the seq, so every reader numbers events alike without a lookup: event n is
 * `0-n`. The end marker `1-0` sorts after every event id, and Redis refuses any `0-n` added after
 * it, so a write after finish fails on the server too, and readers see the end in the same stream
 * as the events (no race between "read the last event" and "learn the run finished").
 */
export const streamIdOf = (seq: number): string => `0-${seq}`;
export const endMarkerId = '1-0';
/** The greatest possible event id, for ranges that must leave out the end marker. */
export const lastPossibleEventId = '0-18446744073709551615';

export type StreamEntry = [id: string, fields: string[]];

/** The event an entry holds, or undefined for the end marker. */
export function runEventOf(runId: string, [id, fields]: StreamEntry): RunEvent | undefined {
  if (!id.startsWith('0-')) return undefined;
  const eventIndex = fields.indexOf('event');
  const json = eventIndex >= 0 ? fields[eventIndex + 1] : undefined;
  if (json === undefined) throw new Error(`run ${runId}: stream entry ${id} holds no event`);
  return { seq: Number(id.slice(2)), event: JSON.parse(json) as ChatEvent };
}
