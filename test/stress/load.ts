import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { RequestFailure, type CatalogClient, type ItemResult } from './catalog-client';
import { Ledger, type FileRecord } from './ledger';

export type Operation = 'create' | 'stat' | 'addReplica' | 'listReplicas' | 'move' | 'remove' | 'setAttributes' | 'query';

/** One request as the client saw it: when, how long, and how it ended (`ok` or a code). */
export interface RequestSample {
  readonly op: Operation;
  readonly client: number;
  readonly start: number;
  readonly ms: number;
  readonly outcome: string;
  readonly status: number;
  readonly requestId?: string | undefined;
}

export interface LoadOptions {
  readonly clients: number;
  readonly seconds: number;
  /** Each client's own directory lives under it: `<root>/c<n>`. */
  readonly root: string;
  /** The client for client number `n` (so that clients can be spread over several instances). */
  readonly clientFor: (n: number) => CatalogClient;
  /** Every acknowledged write goes here as a JSON line. */
  readonly ackLog: string;
  /** Largest create batch; most are smaller. */
  readonly maxBatch?: number;
}

export interface LoadReport {
  readonly samples: RequestSample[];
  readonly ledgers: Ledger[];
  /** Answers that contradicted what the client knew (a read that did not see an acknowledged write). */
  readonly inconsistencies: string[];
  /** Items that failed inside a 200 answer, by code. */
  readonly itemErrors: Map<string, number>;
}

const pick = <T>(list: readonly T[], n: number): T[] => {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
};

/**
 * `clients` concurrent clients, each in its own directory, looping over a mix of bulk create, stat,
 * replica add and list, move, remove, attribute set and a metadata count until the time is up. Each
 * client keeps a ledger of what the answers acknowledged and checks its reads against it.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const deadline = Date.now() + options.seconds * 1000;
  const report: LoadReport = { samples: [], ledgers: [], inconsistencies: [], itemErrors: new Map() };
  const clientsDone = Array.from({ length: options.clients }, (_, n) => runClient(n, deadline, options, report));
  await Promise.all(clientsDone);
  return report;
}

async function runClient(n: number, deadline: number, options: LoadOptions, report: LoadReport): Promise<void> {
  const client = options.clientFor(n);
  const dir = `${options.root}/c${n}`;
  const ledger = new Ledger();
  report.ledgers.push(ledger);
  let seq = 0;
  let cycle = 0;
  const ack = (write: Record<string, unknown>) => {
    ledger.acknowledgedWrites++;
    appendFileSync(options.ackLog, `${JSON.stringify({ client: n, ...write })}\n`);
  };

  /** Runs one request, records it, and hands back the results, or null when the request failed as a whole. */
  async function call<T>(op: Operation, work: () => Promise<T>, expected: (index: number, code: string) => boolean = () => false): Promise<T | null> {
    const start = Date.now();
    try {
      const result = await work();
      report.samples.push({ op, client: n, start, ms: Date.now() - start, outcome: 'ok', status: 200 });
      if (Array.isArray(result)) {
        (result as ItemResult[]).forEach((r, i) => {
          if (!r.ok && !expected(i, r.error.code)) report.itemErrors.set(r.error.code, (report.itemErrors.get(r.error.code) ?? 0) + 1);
        });
      }
      return result;
    } catch (error) {
      if (!(error instanceof RequestFailure)) throw error;
      report.samples.push({ op, client: n, start, ms: Date.now() - start, outcome: error.code, status: error.status, requestId: error.requestId });
      return null;
    }
  }

  // The client's directory; retried, since the run may start into a database outage.
  while (Date.now() < deadline && (await call('create', () => client.mkdir([dir]))) === null) await sleep(200);

  while (Date.now() < deadline) {
    cycle++;
    // Bulk create: mostly tens to hundreds of files, each with one or two replicas and a GUID of ours.
    const size = Math.random() < 0.05 ? (options.maxBatch ?? 1000) : 10 + Math.floor(Math.random() * 190);
    const fresh: FileRecord[] = Array.from({ length: size }, () => {
      const id = seq++;
      const replicas = Array.from({ length: 1 + (id % 2) }, (_, r) => `srm://se${(id + r) % 4}.stress.example/${n}/f${id}-r${r}`);
      return { guid: randomUUID(), lfn: `${dir}/f${id}`, state: 'present', replicas: new Set(replicas), maybeReplicas: new Set() };
    });
    const created = await call('create', () =>
      client.createFiles(fresh.map((f) => ({ lfn: f.lfn, guid: f.guid, size: 1024, replicas: [...f.replicas].map((surl) => ({ surl })) }))),
    );
    fresh.forEach((f, i) => {
      ledger.add(f);
      const result = created?.[i];
      if (result === undefined || (!result.ok && isUncertain(result.error.code))) {
        f.state = 'maybe-created';
        ledger.uncertainWrites++;
      } else if (!result.ok) {
        f.state = 'absent';
      } else {
        ack({ op: 'create', lfn: f.lfn, guid: f.guid, replicas: [...f.replicas] });
      }
    });

    // Stat: what is present must be seen; what was removed must not.
    const present = ledger.certain('present');
    const gone = ledger.certain('absent');
    const toStat = [...pick(present, 40), ...pick(gone, 10)];
    const stats = await call('stat', () => client.stat(toStat.map((f) => f.lfn)), (i, code) => toStat[i]!.state === 'absent' && code === 'NotExists');
    stats?.forEach((r, i) => {
      const f = toStat[i]!;
      if (f.state === 'present' && (!r.ok || r.entry.guid !== f.guid)) report.inconsistencies.push(`stat ${f.lfn}: expected guid ${f.guid}, got ${JSON.stringify(r)}`);
      // An absent file's path may have been reused by nobody; NotExists is the only right answer.
      if (f.state === 'absent' && r.ok && r.entry.guid === f.guid) report.inconsistencies.push(`stat ${f.lfn}: removed file ${f.guid} still visible`);
    });

    // Add a replica to some files.
    const grow = pick(ledger.certain('present'), 10);
    const newSurls = grow.map((f, i) => `srm://se${(cycle + i) % 4}.stress.example/${n}/extra-${cycle}-${i}`);
    const added = await call('addReplica', () => client.addReplicas(grow.map((f, i) => ({ lfn: f.lfn, surl: newSurls[i]! }))));
    grow.forEach((f, i) => {
      const r = added?.[i];
      if (r?.ok) {
        f.replicas.add(newSurls[i]!);
        ack({ op: 'addReplica', guid: f.guid, surl: newSurls[i] });
      } else if (r === undefined || isUncertain(r.error.code)) {
        f.maybeReplicas.add(newSurls[i]!);
        ledger.uncertainWrites++;
      }
    });

    // List replicas: every acknowledged replica must be listed.
    const toList = pick(ledger.certain('present'), 20);
    const lists = await call('listReplicas', () => client.listReplicas(toList.map((f) => f.lfn)));
    lists?.forEach((r, i) => {
      const f = toList[i]!;
      const surls = new Set(r.ok ? r.replicas.map((x) => x.surl) : []);
      if (!r.ok || [...f.replicas].some((s) => !surls.has(s)) || surls.size !== f.replicas.size) {
        report.inconsistencies.push(`replicas of ${f.lfn}: expected ${[...f.replicas]}, got ${JSON.stringify(r)}`);
      }
    });

    // Move a few files to new names.
    const movers = pick(ledger.certain('present'), 5);
    const targets = movers.map(() => `${dir}/m${seq++}`);
    const moved = await call('move', () => client.move(movers.map((f, i) => ({ from: f.lfn, to: targets[i]! }))));
    movers.forEach((f, i) => {
      const r = moved?.[i];
      if (r?.ok) {
        ack({ op: 'move', guid: f.guid, from: f.lfn, to: targets[i] });
        f.lfn = targets[i]!;
      } else if (r === undefined || isUncertain(r.error.code)) {
        f.state = 'maybe-moved';
        f.otherLfn = targets[i]!;
        ledger.uncertainWrites++;
      }
    });

    // Remove a few.
    const doomed = pick(ledger.certain('present'), 5);
    const removed = await call('remove', () => client.remove(doomed.map((f) => f.lfn)));
    doomed.forEach((f, i) => {
      const r = removed?.[i];
      if (r?.ok) {
        f.state = 'absent';
        ack({ op: 'remove', guid: f.guid, lfn: f.lfn });
      } else if (r === undefined || isUncertain(r.error.code)) {
        f.state = 'maybe-removed';
        ledger.uncertainWrites++;
      }
    });

    // Metadata: tag a few files, and now and then count the tagged ones with a query.
    const tagged = pick(ledger.certain('present'), 10);
    const attributes = { stress_run: cycle, stress_tag: `c${n}` };
    const set = await call('setAttributes', () => client.setAttributes(tagged.map((f) => ({ lfn: f.lfn, attributes }))));
    tagged.forEach((f, i) => {
      const r = set?.[i];
      if (r?.ok) {
        f.attributes = attributes;
        ack({ op: 'setAttributes', guid: f.guid, attributes });
      } else if (r === undefined || isUncertain(r.error.code)) {
        f.attributesUncertain = true;
        ledger.uncertainWrites++;
      }
    });
    if (cycle % 5 === 0) {
      const expected = [...ledger.files.values()].filter((f) => f.state === 'present' && f.attributes !== undefined).length;
      const fuzzy = [...ledger.files.values()].some((f) => f.state !== 'present' && f.state !== 'absent') || [...ledger.files.values()].some((f) => f.attributesUncertain);
      const count = await call('query', () => client.countQuery(`stress_tag = 'c${n}'`, dir));
      if (count !== null && !fuzzy && count !== expected) report.inconsistencies.push(`query count in ${dir}: expected ${expected}, got ${count}`);
    }
  }
}

/** Item codes after which the item may or may not have been applied. */
function isUncertain(code: string): boolean {
  return code === 'Unavailable' || code === 'Internal';
}

/** Percentile of a sorted list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Request counts, failures by code, and latency percentiles per operation, as table rows. */
export function summarize(samples: readonly RequestSample[]) {
  const byOp = new Map<string, RequestSample[]>();
  for (const s of samples) {
    const list = byOp.get(s.op);
    if (list) list.push(s);
    else byOp.set(s.op, [s]);
  }
  const row = (op: string, list: readonly RequestSample[]) => {
    const ms = list.map((s) => s.ms).sort((a, b) => a - b);
    const failed = list.filter((s) => s.outcome !== 'ok').length;
    return { op, requests: list.length, failed, p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms[ms.length - 1] ?? 0 };
  };
  return [...[...byOp].map(([op, list]) => row(op, list)), row('all', samples)];
}

export function failuresByCode(samples: readonly RequestSample[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of samples) if (s.outcome !== 'ok') counts.set(`${s.status} ${s.outcome}`, (counts.get(`${s.status} ${s.outcome}`) ?? 0) + 1);
  return counts;
}
