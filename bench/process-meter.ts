import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU and memory of a running process, read from /proc the same way for every server.
 * CPU is the sum of every thread's /proc/<pid>/task/<tid>/schedstat run time (nanoseconds),
 * which is finer than utime+stime's 10 ms ticks; threads that exit take their time with them,
 * so where schedstat is missing (or a thread vanished) it falls back to /proc/<pid>/stat ticks.
 */
const ticksPerSecond = 100;

function schedstatNanoseconds(pid: number): number | undefined {
  let total = 0;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const task of tasks) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return Number.isFinite(total) && total > 0 ? total : undefined;
}

function statNanoseconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks / ticksPerSecond) * 1e9;
}

/** CPU time the process has used so far, in nanoseconds. */
export function cpuNanoseconds(pid: number): number {
  return schedstatNanoseconds(pid) ?? statNanoseconds(pid);
}

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** Measures the CPU a process spends while `work` runs. */
export async function measureCpu<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
  const before = cpuNanoseconds(pid);
  const result = await work();
  const after = cpuNanoseconds(pid);
  return { result, cpuMs: (after - before) / 1e6 };
}
