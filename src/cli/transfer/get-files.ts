import { randomBytes } from 'node:crypto';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Candidate, Skipped } from './replica-choice';
import { describeStatus, eachLimited, messageOf, srmFailureCode, type SrmAccess } from './srm-access';

/** A file to fetch: its LFN, what the catalog says its bytes are, the replicas to try in order, and where it goes. */
export interface GetItem {
  readonly lfn: string;
  readonly destination: string;
  readonly size: number | null;
  /** adler32 as 8 hex digits, when the catalog has one. */
  readonly adler32: string | null;
  readonly candidates: readonly Candidate[];
  readonly skipped: readonly Skipped[];
}

export type GetFailureCode = 'NoReplica' | 'ChecksumMismatch' | 'TransferFailed' | 'Unreachable';

export interface GetOutcome {
  readonly lfn: string;
  readonly destination: string;
  readonly ok: boolean;
  /** The replica the bytes came from. */
  readonly surl?: string;
  readonly size?: number;
  readonly error?: { readonly code: GetFailureCode; readonly message: string };
}

export interface GetSettings {
  /** Downloads at once, over all SRMs. */
  readonly parallel: number;
  /** SURLs per prepareToGet. */
  readonly batch: number;
  readonly protocols: readonly string[];
  /** How long to wait for staging (nearline SEs) before trying another replica. */
  readonly stageTimeoutMs: number;
  readonly srm: (url: string) => SrmAccess;
  /** Bytes arrived (negative when a failed attempt's bytes are thrown away). */
  readonly onBytes?: (n: number) => void;
  readonly onOutcome?: (outcome: GetOutcome) => void | Promise<void>;
}

interface Attempting {
  readonly item: GetItem;
  next: number;
  readonly tried: string[];
  lastCode: GetFailureCode;
}

/**
 * Fetches files the way a grid job does, in rounds: every file still wanted asks its best remaining
 * replica's SRM (grouped per SRM, `batch` SURLs per prepareToGet), waits for staging, downloads the pinned
 * TURLs (`parallel` at once) into a temporary name, checks size and adler32 against the catalog, and only
 * then renames the file into place; the pins are released. A file whose replica failed — SE offline,
 * staging timed out, transfer broken, bytes not what the catalog recorded — goes to the next replica in the
 * next round. Corrupt bytes are deleted and reported, never left under the destination name.
 */
export async function getFiles(items: readonly GetItem[], settings: GetSettings): Promise<GetOutcome[]> {
  const outcomes = new Map<GetItem, GetOutcome>();
  const finish = async (item: GetItem, outcome: Omit<GetOutcome, 'lfn' | 'destination'>): Promise<void> => {
    const full = { lfn: item.lfn, destination: item.destination, ...outcome };
    outcomes.set(item, full);
    await settings.onOutcome?.(full);
  };
  let pending: Attempting[] = [];
  for (const item of items) {
    if (item.candidates.length > 0) pending.push({ item, next: 0, tried: [], lastCode: 'TransferFailed' });
    else await finish(item, { ok: false, error: { code: 'NoReplica', message: noReplicaMessage(item) } });
  }
  const downloads = new Semaphore(settings.parallel);
  while (pending.length > 0) {
    const groups = new Map<string, Attempting[]>();
    for (const a of pending) {
      const srm = a.item.candidates[a.next]!.srm;
      groups.set(srm, [...(groups.get(srm) ?? []), a]);
    }
    const batches = [...groups].flatMap(([srm, list]) => chunk(list, settings.batch).map((batch) => ({ srm, batch })));
    await Promise.all(batches.map(({ srm, batch }) => fetchBatch(settings.srm(srm), batch, settings, downloads, finish)));
    pending = pending.filter((a) => !outcomes.has(a.item));
    for (const a of pending) a.next++;
    const exhausted = pending.filter((a) => a.next >= a.item.candidates.length);
    for (const a of exhausted) {
      await finish(a.item, { ok: false, error: { code: a.lastCode, message: `no replica could be read: ${[...a.tried, ...a.item.skipped.map(skipLine)].join('; ')}` } });
    }
    pending = pending.filter((a) => a.next < a.item.candidates.length);
  }
  return items.map((item) => outcomes.get(item)!);
}

async function fetchBatch(
  srm: SrmAccess,
  batch: readonly Attempting[],
  settings: GetSettings,
  downloads: Semaphore,
  finish: (item: GetItem, outcome: Omit<GetOutcome, 'lfn' | 'destination'>) => Promise<void>,
): Promise<void> {
  const surlOf = (a: Attempting) => a.item.candidates[a.next]!.surl;
  const failed = (a: Attempting, why: string, code: GetFailureCode = 'TransferFailed') => {
    a.tried.push(`${surlOf(a)}: ${why}`);
    a.lastCode = code;
  };
  let token: string;
  let ready;
  try {
    const prepared = await srm.prepareToGet(batch.map(surlOf), settings.protocols.length > 0 ? { protocols: settings.protocols } : {});
    token = prepared.token;
    ready = await srm.waitUntilReady(token, { timeoutMs: settings.stageTimeoutMs });
  } catch (error) {
    for (const a of batch) failed(a, `the SRM did not answer: ${messageOf(error)}`, srmFailureCode(error, 'TransferFailed'));
    return;
  }
  // One request may name a SURL twice (two LFNs linking to one file): each gets its own answer in order.
  const answers = new Map<string, (typeof ready.files)[number][]>();
  for (const file of ready.files) answers.set(file.surl, [...(answers.get(file.surl) ?? []), file]);
  await Promise.all(
    batch.map(async (a) => {
      const answer = answers.get(surlOf(a))?.shift();
      if (answer === undefined) return failed(a, 'the SRM did not answer for this SURL');
      if (answer.status !== 'SRM_FILE_PINNED' || answer.turl === undefined) return failed(a, describeStatus(answer));
      await downloads.run(async () => {
        const result = await downloadChecked(srm, answer.turl!, a.item, settings);
        if (result.ok) await finish(a.item, { ok: true, surl: surlOf(a), size: result.size });
        else failed(a, result.why, result.code);
      });
    }),
  );
  await srm.release(token).catch(() => undefined);
}

/** Downloads into a temporary name beside the destination; renamed into place only when the bytes check out. */
async function downloadChecked(
  srm: SrmAccess,
  turl: string,
  item: GetItem,
  settings: GetSettings,
): Promise<{ ok: true; size: number } | { ok: false; why: string; code: GetFailureCode }> {
  const temporary = join(dirname(item.destination), `.${basename(item.destination)}.${randomBytes(6).toString('hex')}.part`);
  let arrived = 0;
  const onBytes = (n: number) => {
    arrived += n;
    settings.onBytes?.(n);
  };
  const discard = async () => {
    settings.onBytes?.(-arrived);
    await unlink(temporary).catch(() => undefined);
  };
  let got: { size: number; adler32: string };
  try {
    got = await srm.download(turl, temporary, { onBytes });
  } catch (error) {
    await discard();
    return { ok: false, why: `download failed: ${messageOf(error)}`, code: 'TransferFailed' };
  }
  if (item.size !== null && got.size !== item.size) {
    await discard();
    return { ok: false, why: `corrupt: ${got.size} bytes arrived, the catalog records ${item.size}`, code: 'ChecksumMismatch' };
  }
  if (item.adler32 !== null && got.adler32.toLowerCase() !== item.adler32.toLowerCase()) {
    await discard();
    return { ok: false, why: `corrupt: adler32 ${got.adler32}, the catalog records ${item.adler32.toLowerCase()}`, code: 'ChecksumMismatch' };
  }
  try {
    await rename(temporary, item.destination);
  } catch (error) {
    await discard();
    return { ok: false, why: `cannot write ${item.destination}: ${messageOf(error)}`, code: 'TransferFailed' };
  }
  return { ok: true, size: got.size };
}

function noReplicaMessage(item: GetItem): string {
  return item.skipped.length === 0 ? 'the file has no replica' : `no usable replica: ${item.skipped.map(skipLine).join('; ')}`;
}

function skipLine(s: Skipped): string {
  return `${s.surl}: ${s.reason}`;
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** At most `limit` tasks at once, shared by every batch of a round. */
class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(limit: number) {
    this.#free = limit;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#free++;
    }
  }
}
