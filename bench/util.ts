// Small timing helpers shared by the benchmark suites: medians and percentiles, never means.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface BenchSuite {
  name: string;
  run(): Promise<void>;
  /** Runs only when named (`npm run bench -- scale`): too long for every run. */
  onlyWhenNamed?: boolean;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Runs `fn` `runs` times after `warmup` untimed runs; returns each run's milliseconds. */
export function timeRuns(fn: () => void, runs: number, warmup = 2): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times;
}

export async function timeRunsAsync(fn: () => Promise<void>, runs: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}

export function fmtMs(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

export function report(label: string, value: string, goal?: string): void {
  console.log(`  ${label.padEnd(58)} ${value}${goal ? `   (goal ${goal})` : ''}`);
}

const napTarget = new Int32Array(new SharedArrayBuffer(4));

/**
 * Milliseconds this thread has run on a CPU (Linux /proc schedstat), or undefined elsewhere. Unlike wall
 * time it leaves out time spent waiting for a CPU, which on a shared machine can dwarf the work itself.
 */
export function threadCpuMs(): number | undefined {
  try {
    // The kernel brings a running thread's total up to date only at a scheduler tick (4 ms here) or when the thread
    // leaves the CPU: a 20 µs sleep first makes the reading exact instead of up to a tick behind (measured: a 1.3 ms
    // loop read 0, 1.0, 2.7 or 4.0 ms without it, 1.34-1.45 ms with it). Costs ~70 µs of wall time per reading.
    Atomics.wait(napTarget, 0, 0, 0.02);
    const fields = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    return Number(fields[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/** Runs `fn` `runs` times after `warmup` runs; returns each run's main-thread CPU milliseconds (empty where unavailable). */
export function cpuRuns(fn: () => void, runs: number, warmup = 1): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const before = threadCpuMs();
    fn();
    const after = threadCpuMs();
    if (before === undefined || after === undefined) return [];
    times.push(after - before);
  }
  return times;
}
