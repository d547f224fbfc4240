import { readFileSync } from 'node:fs';

/** One row of the benchmark table. */
export interface Row {
  readonly scenario: string;
  readonly engine: string;
  readonly items: number;
  readonly seconds: number;
  /** Items (files, LFNs, entries, requests) per second. */
  readonly perSecond: number;
  readonly p50ms: number;
  readonly p95ms: number;
  readonly p99ms: number;
  /** Peak resident memory of the service (all its processes) during the scenario, MB; null when no service ran. */
  readonly peakRssMb: number | null;
  /** Growth of that memory over the scenario, MB. */
  readonly rssGrowthMb: number | null;
  readonly note?: string;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function makeRow(
  scenario: string,
  engine: string,
  items: number,
  seconds: number,
  latencies: ArrayLike<number>,
  rss: RssPeak | null,
  note?: string,
): Row {
  const sorted = Float64Array.from(latencies).sort();
  return {
    scenario,
    engine,
    items,
    seconds: round(seconds, 2),
    perSecond: Math.round(items / seconds),
    p50ms: round(percentile(sorted, 50), 1),
    p95ms: round(percentile(sorted, 95), 1),
    p99ms: round(percentile(sorted, 99), 1),
    peakRssMb: rss === null ? null : round(rss.peakMb, 0),
    rssGrowthMb: rss === null ? null : round(rss.peakMb - rss.startMb, 0),
    ...(note !== undefined ? { note } : {}),
  };
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

export interface RssPeak {
  readonly startMb: number;
  readonly peakMb: number;
}

/** Resident memory of a process and all its descendants (cluster workers), from /proc, in MB. */
export function treeRssMb(pid: number): number {
  let kb = 0;
  const visit = (p: number) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const match = /VmRSS:\s+(\d+)/.exec(status);
      if (match) kb += Number(match[1]);
      for (const child of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').split(' ').filter((s) => s !== '')) visit(Number(child));
    } catch {
      // the process is gone, or /proc is not there (not Linux): count nothing
    }
  };
  visit(pid);
  return kb / 1024;
}

/** Samples a process tree's RSS every 50 ms while `work` runs; returns the work's value and the peak. */
export async function withRssPeak<T>(pid: number | undefined, work: () => Promise<T>): Promise<{ value: T; rss: RssPeak | null }> {
  if (pid === undefined) return { value: await work(), rss: null };
  const startMb = treeRssMb(pid);
  let peakMb = startMb;
  const timer = setInterval(() => {
    peakMb = Math.max(peakMb, treeRssMb(pid));
  }, 50);
  try {
    const value = await work();
    peakMb = Math.max(peakMb, treeRssMb(pid));
    return { value, rss: { startMb, peakMb } };
  } finally {
    clearInterval(timer);
  }
}

/** Runs `batches` with `clients` concurrent workers; returns per-batch latencies (ms). */
export async function drive<T>(batches: readonly T[], clients: number, send: (batch: T) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const started = performance.now();
        await send(batch);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

export const log = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
