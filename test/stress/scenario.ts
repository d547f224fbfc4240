import pg from 'pg';
import type { PostgresInstance } from './postgres-instance';

export interface StressOptions {
  /** Seconds of load in the load, database-fault and two-instance scenarios. */
  readonly seconds: number;
  readonly clients: number;
  /** Hostile requests the fuzzer sends. */
  readonly fuzzRequests: number;
  /** SIGKILL rounds in the process-fault scenario. */
  readonly killRounds: number;
  /** Items per bulk in the kill and drain scenarios. */
  readonly bulkItems: number;
  readonly short: boolean;
}

export interface ScenarioContext {
  readonly options: StressOptions;
  /** A folder for this scenario's logs and acknowledged-write files. */
  readonly dir: string;
  readonly postgres: PostgresInstance;
  /** A fresh database on the suite's own server, for this scenario alone. */
  freshDatabase(name: string): Promise<string>;
  say(line: string): void;
}

export interface ScenarioResult {
  readonly figures: Readonly<Record<string, string | number>>;
  /** Anything wrong; the scenario passed when this is empty. */
  readonly problems: readonly string[];
}

export interface Scenario {
  readonly name: string;
  readonly describe: string;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}

export async function createDatabase(postgres: PostgresInstance, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: postgres.url() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return postgres.url(name);
}

/** Least-squares slope of y over x, per minute when x is in seconds. */
export function slopePerMinute(points: readonly { seconds: number; mb: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.seconds, 0) / n;
  const my = points.reduce((a, p) => a + p.mb, 0) / n;
  const num = points.reduce((a, p) => a + (p.seconds - mx) * (p.mb - my), 0);
  const den = points.reduce((a, p) => a + (p.seconds - mx) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60;
}

/** RSS figures of a run: start, peak, end, and the trend over its second half (after warm-up). */
export function rssFigures(samples: readonly { seconds: number; mb: number }[]): Record<string, number> {
  if (samples.length === 0) return {};
  const second = samples.slice(Math.floor(samples.length / 2));
  return {
    rssStartMb: samples[0]!.mb,
    rssPeakMb: Math.max(...samples.map((s) => s.mb)),
    rssEndMb: samples[samples.length - 1]!.mb,
    rssTrendMbPerMin: Math.round(slopePerMinute(second) * 10) / 10,
  };
}

/**
 * A growth the run cannot explain: the last quarter's median RSS above the second quarter's by more
 * than half and 100 MB. A leak grows steadily; caches and the heap settle within the first half.
 */
export function rssGrowthProblem(samples: readonly { seconds: number; mb: number }[]): string | undefined {
  if (samples.length < 20) return undefined;
  const median = (list: readonly { mb: number }[]) => [...list].map((s) => s.mb).sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  const q = Math.floor(samples.length / 4);
  const early = median(samples.slice(q, 2 * q));
  const late = median(samples.slice(3 * q));
  return late > early * 1.5 && late - early > 100 ? `RSS grew from ${early} MB to ${late} MB over the run` : undefined;
}
