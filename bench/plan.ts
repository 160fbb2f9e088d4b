import { execFileSync } from 'node:child_process';

/** How much of each measurement a mode runs. */
export interface BenchPlan {
  mode: 'quick' | 'default' | 'soak';
  m1Rounds: number;
  m1Requests: number;
  m2Rounds: number;
  m2Rate: number;
  m2DurationMs: number;
  m3Rounds: number;
  m3Concurrency: number;
  m3DurationMs: number;
  m4Rounds: number;
  m4Streams: number;
  m5Rounds: number;
  m5Concurrency: number;
  m5DurationMs: number;
  m5Chunks: number;
  m5IntervalMs: number;
  m6Rounds: number;
  m6Streams: number;
  m6Sockets: number;
  m7ColdStarts: number;
  m7SoakMs: number;
  m8Rounds: number;
  m8Turns: number;
  m9Streams: number;
  m9StreamSeconds: number;
  /** Why M9 runs fewer than 10,000 streams, when it does. */
  m9ScaledBecause?: string;
}

/** The shell's open-file limit, which every server here inherits (Node cannot raise it). */
export function openFileLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
}

export function planFor(mode: BenchPlan['mode']): BenchPlan {
  const quick = mode === 'quick';
  const plan: BenchPlan = {
    mode,
    m1Rounds: quick ? 3 : 5,
    m1Requests: quick ? 30 : 200,
    m2Rounds: quick ? 2 : 5,
    m2Rate: 100,
    m2DurationMs: quick ? 800 : 2000,
    m3Rounds: quick ? 1 : 3,
    m3Concurrency: 500,
    m3DurationMs: quick ? 700 : 2000,
    m4Rounds: quick ? 3 : 5,
    m4Streams: quick ? 5 : 30,
    m5Rounds: quick ? 2 : 3,
    m5Concurrency: 10,
    m5DurationMs: quick ? 600 : 3000,
    m5Chunks: 100,
    m5IntervalMs: 1,
    m6Rounds: quick ? 1 : 2,
    m6Streams: quick ? 100 : 1000,
    m6Sockets: quick ? 100 : 1000,
    m7ColdStarts: quick ? 1 : 3,
    m7SoakMs: mode === 'soak' ? 600_000 : quick ? 3000 : 30_000,
    m8Rounds: quick ? 2 : 3,
    m8Turns: quick ? 8 : 15,
    m9Streams: quick ? 500 : 10_000,
    m9StreamSeconds: quick ? 6 : 120,
  };
  if (quick) plan.m9ScaledBecause = '--quick runs 500 streams; the default mode runs 10,000';
  // Colloquy holds two sockets per proxied stream (client and upstream), plus files and spare.
  const limit = openFileLimit();
  const fits = Math.floor((limit - 1000) / 2);
  if (plan.m9Streams > fits) {
    plan.m9ScaledBecause = `ulimit -n is ${limit}: Colloquy needs two sockets per stream, so at most ${fits} fit (raise ulimit -n for 10,000)`;
    plan.m9Streams = fits;
  }
  return plan;
}
