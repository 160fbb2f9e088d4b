import { measureCpu } from './process-meter.ts';
import { closedLoop, fixedRate, streamOnce, type LoadResult } from './load.ts';
import { median } from './stats.ts';
import type { Target, TargetName } from './targets.ts';
import type { BenchPlan } from './plan.ts';

/** One figure for one target: the median over rounds, or why there is none. */
export interface Figure {
  value: number;
  rounds: number[];
  unavailable?: string;
  note?: string;
}
export type FigureSet = Partial<Record<TargetName | string, Figure>>;

const failed = (reason: string): Figure => ({ value: Number.NaN, rounds: [], unavailable: reason });

function check(result: LoadResult, target: Target): void {
  if (result.errors > 0 && result.completed === 0) throw new Error(`${target.name}: every request failed: ${result.firstError}`);
  if (result.errors > 0) throw new Error(`${target.name}: ${result.errors} of ${result.errors + result.completed} requests failed: ${result.firstError}`);
}

/** Runs `measure` for every target, round after round, so noise hits all targets alike. */
async function interleaved(
  targets: Target[],
  rounds: number,
  measure: (target: Target, round: number) => Promise<number>,
): Promise<Record<string, Figure>> {
  const values: Record<string, number[]> = {};
  const problems: Record<string, string> = {};
  for (let round = 0; round < rounds; round += 1) {
    for (const target of targets) {
      if (problems[target.name]) continue;
      try {
        (values[target.name] ??= []).push(await measure(target, round));
      } catch (error) {
        problems[target.name] = (error as Error).message.split('\n')[0]!.slice(0, 200);
      }
    }
  }
  const figures: Record<string, Figure> = {};
  for (const target of targets) {
    const problem = problems[target.name];
    figures[target.name] = problem ? failed(problem) : { value: median(values[target.name]!), rounds: values[target.name]! };
  }
  return figures;
}

/** M1: latency over direct at concurrency 1, non-streamed, instant upstream (ms). */
export async function addedLatency(direct: Target, targets: Target[], plan: BenchPlan): Promise<FigureSet> {
  const model = 'bench-0-10-0';
  const all = [direct, ...targets];
  const pools = new Map(all.map((target) => [target.name, target.pool(1)]));
  const perRound: Record<string, number[]> = {};
  const figures = await interleaved(all, plan.m1Rounds, async (target, round) => {
    const result = await closedLoop(pools.get(target.name)!, (index) => target.request(model, false, round * 10_000 + index), {
      concurrency: 1,
      count: plan.m1Requests,
    });
    check(result, target);
    const value = median(result.latenciesMs);
    (perRound[target.name] ??= []).push(value);
    return value;
  });
  await Promise.all([...pools.values()].map((pool) => pool.close()));
  const directRounds = perRound[direct.name] ?? [];
  const added: FigureSet = {};
  for (const target of targets) {
    const figure = figures[target.name]!;
    if (figure.unavailable) added[target.name] = figure;
    else {
      const rounds = figure.rounds.map((value, index) => value - (directRounds[index] ?? Number.NaN));
      added[target.name] = { value: median(rounds), rounds };
    }
  }
  added.direct = { value: 0, rounds: [], note: `direct median ${median(directRounds).toFixed(3)} ms` };
  return added;
}

/** M2: server CPU per request at a fixed rate below saturation (ms of CPU per request). */
export async function cpuPerRequest(targets: Target[], plan: BenchPlan): Promise<FigureSet> {
  const model = 'bench-0-10-0';
  const pools = new Map(targets.map((target) => [target.name, target.pool(64)]));
  const figures = await interleaved(targets, plan.m2Rounds, async (target, round) => {
    const pool = pools.get(target.name)!;
    const { result, cpuMs } = await measureCpu(target.server.pid, () =>
      fixedRate(pool, (index) => target.request(model, false, round * 100_000 + index), { ratePerSecond: plan.m2Rate, durationMs: plan.m2DurationMs }),
    );
    check(result, target);
    return cpuMs / result.completed;
  });
  await Promise.all([...pools.values()].map((pool) => pool.close()));
  return figures;
}

/** M3: requests per second at concurrency 500 against the 50 ms upstream. */
export async function throughput(direct: Target, targets: Target[], plan: BenchPlan): Promise<FigureSet> {
  const model = 'bench-50-10-0';
  const all = [direct, ...targets];
  const pools = new Map(all.map((target) => [target.name, target.pool(plan.m3Concurrency)]));
  const errors: Record<string, string> = {};
  // Open every connection first, so the rounds measure serving, not connecting.
  for (const target of all) {
    await closedLoop(pools.get(target.name)!, (index) => target.request(model, false, index), { concurrency: plan.m3Concurrency, count: plan.m3Concurrency });
  }
  const figures = await interleaved(all, plan.m3Rounds, async (target, round) => {
    const result = await closedLoop(pools.get(target.name)!, (index) => target.request(model, false, round * 1_000_000 + index), {
      concurrency: plan.m3Concurrency,
      durationMs: plan.m3DurationMs,
    });
    // Under this load a failed request is a finding, not a reason to drop the column: count it.
    if (result.completed === 0) check(result, target);
    if (result.errors > 0) errors[target.name] = `${(errors[target.name] ?? '')}${result.errors} failed (${result.firstError?.slice(0, 60)}) `;
    return (result.completed / result.elapsedMs) * 1000;
  });
  await Promise.all([...pools.values()].map((pool) => pool.close()));
  for (const [name, text] of Object.entries(errors)) if (figures[name]) figures[name].note = text.trim();
  return figures;
}

/** M4: time to first token over direct, streamed, concurrency 1 (ms). */
export async function addedFirstToken(direct: Target, targets: Target[], plan: BenchPlan): Promise<FigureSet> {
  const model = 'bench-0-5-2';
  const all = [direct, ...targets];
  const pools = new Map(all.map((target) => [target.name, target.pool(1)]));
  const figures = await interleaved(all, plan.m4Rounds, async (target, round) => {
    const times: number[] = [];
    for (let index = 0; index < plan.m4Streams; index += 1) {
      const outcome = await streamOnce(pools.get(target.name)!, target.request(model, true, round * 1000 + index), {
        lastToken: 'w4 ',
        endMarker: target.endMarker,
      });
      if (!outcome.complete) throw new Error(`${target.name}: a stream ended early`);
      times.push(outcome.firstTokenMs);
    }
    return median(times);
  });
  await Promise.all([...pools.values()].map((pool) => pool.close()));
  const directFigure = figures[direct.name]!;
  const added: FigureSet = { direct: { value: 0, rounds: [], note: `direct median ${directFigure.value.toFixed(3)} ms` } };
  for (const target of targets) {
    const figure = figures[target.name]!;
    if (figure.unavailable) added[target.name] = figure;
    else {
      const rounds = figure.rounds.map((value, index) => value - (directFigure.rounds[index] ?? Number.NaN));
      added[target.name] = { value: median(rounds), rounds };
    }
  }
  return added;
}

/** M5: server CPU per upstream token frame streamed through (µs per frame). */
export async function cpuPerFrame(targets: Target[], plan: BenchPlan): Promise<FigureSet> {
  const chunks = plan.m5Chunks;
  const model = `bench-0-${chunks}-${plan.m5IntervalMs}`;
  const pools = new Map(targets.map((target) => [target.name, target.pool(plan.m5Concurrency)]));
  const figures = await interleaved(targets, plan.m5Rounds, async (target, round) => {
    const pool = pools.get(target.name)!;
    let streams = 0;
    let incomplete = 0;
    const { cpuMs } = await measureCpu(target.server.pid, async () => {
      const stopAt = performance.now() + plan.m5DurationMs;
      let issued = 0;
      const worker = async () => {
        while (performance.now() < stopAt) {
          const index = issued;
          issued += 1;
          const outcome = await streamOnce(pool, target.request(model, true, round * 100_000 + index), {
            lastToken: `w${chunks - 1} `,
            endMarker: target.endMarker,
          });
          if (outcome.complete) streams += 1;
          else incomplete += 1;
        }
      };
      await Promise.all(Array.from({ length: plan.m5Concurrency }, worker));
    });
    if (incomplete > 0) throw new Error(`${target.name}: ${incomplete} streams ended early`);
    return (cpuMs * 1000) / (streams * chunks);
  });
  await Promise.all([...pools.values()].map((pool) => pool.close()));
  return figures;
}
