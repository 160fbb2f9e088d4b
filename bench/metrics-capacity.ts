import { setMaxListeners } from 'node:events';
import type WebSocket from 'ws';
import { closedLoop, openChatSocket, streamOnce } from './load.ts';
import { measureCpu, rssBytes } from './process-meter.ts';
import { median, slope } from './stats.ts';
import type { Figure, FigureSet } from './metrics-requests.ts';
import type { BenchPlan } from './plan.ts';
import type { ServerProcess } from './child-processes.ts';
import type { Target } from './targets.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unavailable = (error: unknown): Figure => ({ value: Number.NaN, rounds: [], unavailable: (error as Error).message.split('\n')[0]!.slice(0, 200) });

/** Opens `count` long streams, waits until every one is flowing, and returns RSS growth per stream (KB). */
async function memoryPerStream(target: Target, count: number): Promise<number> {
  const pool = target.pool(count);
  const aborter = new AbortController();
  setMaxListeners(0, aborter.signal);
  let flowing = 0;
  let allFlowing!: () => void;
  const ready = new Promise<void>((resolve) => (allFlowing = resolve));
  await pause(300);
  const before = rssBytes(target.server.pid);
  // At most 128 streams starting at once: a burst past the listen backlog only measures SYN retries.
  let starting = 0;
  const streams = Array.from({ length: count }, async (_, index) => {
    while (starting >= 128) await pause(5);
    starting += 1;
    let counted = false;
    try {
      await streamOnce(pool, target.request('bench-0-600-100', true, 500_000 + index), { lastToken: 'w599 ', endMarker: target.endMarker }, {
        signal: aborter.signal,
        onFirstToken: () => {
          counted = true;
          starting -= 1;
          flowing += 1;
          if (flowing === count) allFlowing();
        },
      });
    } catch (error) {
      if (!aborter.signal.aborted) throw error;
    } finally {
      if (!counted) starting -= 1;
    }
  });
  const failure = Promise.race(streams.map((stream) => stream.then(() => new Promise<never>(() => {})))).catch((error) => {
    throw error;
  });
  await Promise.race([ready, failure, pause(120_000).then(() => Promise.reject(new Error(`only ${flowing} of ${count} streams flowed in 120 s`)))]);
  await pause(500);
  const after = rssBytes(target.server.pid);
  aborter.abort();
  await Promise.allSettled(streams);
  await pool.destroy();
  await pause(300);
  return (after - before) / 1024 / count;
}

/** M6a: KB of RSS per open stream (median of rounds). */
export async function memoryPerOpenStream(targets: Target[], plan: BenchPlan): Promise<FigureSet> {
  const figures: FigureSet = {};
  for (const target of targets) {
    try {
      const rounds: number[] = [];
      for (let round = 0; round < plan.m6Rounds; round += 1) rounds.push(await memoryPerStream(target, plan.m6Streams));
      figures[target.name] = { value: median(rounds), rounds };
    } catch (error) {
      figures[target.name] = unavailable(error);
    }
  }
  return figures;
}

/** M6b: KB of RSS per idle StellarByte WebSocket (after session_start). */
export async function memoryPerIdleSocket(colloquy: ServerProcess, token: string, plan: BenchPlan): Promise<Figure> {
  try {
    const rounds: number[] = [];
    for (let round = 0; round < plan.m6Rounds; round += 1) {
      await pause(300);
      const before = rssBytes(colloquy.pid);
      const sockets: WebSocket[] = [];
      for (let index = 0; index < plan.m6Sockets; index += 25) {
        const batch = Math.min(25, plan.m6Sockets - index);
        sockets.push(...(await Promise.all(Array.from({ length: batch }, () => openChatSocket(`ws://127.0.0.1:${colloquy.port}/ws/chat?token=${token}`)))));
      }
      await pause(500);
      rounds.push((rssBytes(colloquy.pid) - before) / 1024 / sockets.length);
      for (const socket of sockets) socket.terminate();
    }
    return { value: median(rounds), rounds };
  } catch (error) {
    return unavailable(error);
  }
}

/** M7c: RSS growth per 1000 requests over a soak of mixed proxied and persisted requests (KB). */
export async function leakSlope(colloquy: ServerProcess, proxy: Target, persist: Target, plan: BenchPlan): Promise<Figure> {
  const pool = proxy.pool(8);
  const points: Array<{ x: number; y: number }> = [];
  let served = 0;
  const sampler = setInterval(() => points.push({ x: served, y: rssBytes(colloquy.pid) / 1024 }), Math.max(250, plan.m7SoakMs / 40));
  try {
    const result = await closedLoop(
      pool,
      (index) => {
        served += 1;
        return index % 2 === 0 ? proxy.request('bench-0-10-0', false, index) : persist.request('bench-0-10-0', false, 900_000 + index);
      },
      { concurrency: 8, durationMs: plan.m7SoakMs },
    );
    if (result.errors > 0) throw new Error(`${result.errors} soak requests failed: ${result.firstError}`);
    // The first quarter is warm-up (JIT, caches, pools filling); the slope is fitted to the rest.
    const steady = points.slice(Math.floor(points.length / 4));
    return { value: slope(steady) * 1000, rounds: [], note: `${result.completed} requests in ${(plan.m7SoakMs / 1000).toFixed(0)} s` };
  } catch (error) {
    return unavailable(error);
  } finally {
    clearInterval(sampler);
    await pool.close();
  }
}

/** M8: a persisted native turn against a plain proxied stream: wall ms and server CPU ms per request. */
export async function fullTurn(
  native: Target,
  proxy: Target,
  floor: Target,
  plan: BenchPlan,
  freshConversation: () => Promise<string>,
): Promise<{ wall: FigureSet; cpu: FigureSet }> {
  const model = 'bench-0-20-0';
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  try {
    for (let round = 0; round < plan.m8Rounds; round += 1) {
      // History: every native turn goes to a conversation that already holds two exchanges.
      const conversations: string[] = [];
      for (let index = 0; index < plan.m8Turns; index += 1) conversations.push(await freshConversation());
      const nativeRound = { ...native, request: (m: string, s: boolean, index: number) => native.request(m, s, 0) };
      for (const target of [floor, proxy, nativeRound]) {
        const pool = target.pool(1);
        const pick = (index: number) =>
          target === nativeRound
            ? { ...native.request(model, true, 0), body: { ...(native.request(model, true, 0).body as object), conversation_id: conversations[index] } }
            : target.request(model, true, round * 1000 + index);
        if (target === nativeRound) {
          for (let index = 0; index < plan.m8Turns; index += 1) {
            for (let seed = 0; seed < 2; seed += 1) await streamOnce(pool, pick(index), { lastToken: 'w19 ', endMarker: native.endMarker });
          }
        }
        const times: number[] = [];
        const { cpuMs } = await measureCpu(target.server.pid, async () => {
          for (let index = 0; index < plan.m8Turns; index += 1) {
            const outcome = await streamOnce(pool, pick(index), { lastToken: 'w19 ', endMarker: target.endMarker });
            if (!outcome.complete) throw new Error(`${target.name}: a turn ended early`);
            times.push(outcome.totalMs);
          }
        });
        await pool.close();
        (wall[target.name] ??= []).push(median(times));
        (cpu[target.name] ??= []).push(cpuMs / plan.m8Turns);
      }
    }
  } catch (error) {
    const failed = unavailable(error);
    return { wall: { [native.name]: failed }, cpu: { [native.name]: failed } };
  }
  const toFigures = (values: Record<string, number[]>) =>
    Object.fromEntries(Object.entries(values).map(([name, rounds]) => [name, { value: median(rounds), rounds }])) as FigureSet;
  return { wall: toFigures(wall), cpu: toFigures(cpu) };
}

/** M9: many concurrent proxied streams in one Colloquy process; counts the ones that did not finish whole. */
export async function concurrentStreams(target: Target, plan: BenchPlan): Promise<Figure & { opened: number; completed: number; peak: number }> {
  const count = plan.m9Streams;
  const chunks = 20;
  const interval = Math.round((plan.m9StreamSeconds * 1000) / chunks);
  const pool = target.pool(count);
  let flowing = 0;
  let finished = 0;
  let peak = 0;
  let connecting = 0;
  const started = performance.now();
  const one = async (index: number) => {
    // At most 256 streams connecting at once: a burst past the listen backlog only measures SYN retries.
    while (connecting >= 256) await pause(5);
    connecting += 1;
    let counted = false;
    try {
      const outcome = await streamOnce(pool, target.request(`bench-0-${chunks}-${interval}`, true, index), { lastToken: `w${chunks - 1} `, endMarker: target.endMarker }, {
        onFirstToken: () => {
          counted = true;
          connecting -= 1;
          flowing += 1;
          peak = Math.max(peak, flowing - finished);
        },
      });
      return outcome.complete;
    } catch {
      return false;
    } finally {
      if (!counted) connecting -= 1;
      finished += 1;
    }
  };
  const outcomes = await Promise.all(Array.from({ length: count }, (_, index) => one(index)));
  await pool.destroy();
  const completed = outcomes.filter(Boolean).length;
  const seconds = (performance.now() - started) / 1000;
  return {
    value: count - completed,
    rounds: [],
    opened: count,
    completed,
    peak,
    note: `${completed}/${count} complete, peak ${peak} open at once, ${seconds.toFixed(0)} s`,
  };
}
