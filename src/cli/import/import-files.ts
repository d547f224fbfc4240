import { parentPath } from '../lfn-pattern';
import { BadRecord, type NewFile } from './new-file';
import type { InputRecord } from './record-reader';

/** An item's outcome as the bulk calls answer it. */
export type ItemOutcome = { readonly ok: true } | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

/** What an existing entry looks like, to decide whether it is the file a line describes. */
export interface ExistingEntry {
  readonly lfn: string;
  readonly kind: string;
  readonly guid?: string;
  readonly size?: number;
  readonly checksum?: { readonly type: string; readonly value: string };
}

/** The three calls an import makes, each one bulk request (chunked by the SDK). */
export interface ImportCatalog {
  /** mkdir -p; failures need no report, since the files below then fail with their own reason. */
  makeDirectories(lfns: readonly string[]): Promise<readonly ItemOutcome[]>;
  createFiles(files: readonly NewFile[]): Promise<readonly ItemOutcome[]>;
  /** The entries at these LFNs (undefined where there is none), not following symlinks. */
  stat(lfns: readonly string[]): Promise<readonly (ExistingEntry | undefined)[]>;
}

export interface ImportFailure {
  readonly line: number;
  readonly lfn?: string;
  readonly code: string;
  readonly message: string;
  /** The input line as read, to fix and import again. */
  readonly input: string;
}

export interface ImportCounts {
  /** Lines read that describe a file, or tried to. */
  readonly lines: number;
  readonly created: number;
  /** Already registered as the line describes them (a re-run). */
  readonly existed: number;
  readonly failed: number;
  readonly bytesRead: number;
}

export interface ImportOptions {
  /** Files per bulk call (the SDK cuts a call to the service's limits). */
  readonly batchSize: number;
  /** Bulk calls in flight at once; memory is bounded by batchSize × inFlight lines. */
  readonly inFlight: number;
  readonly onFailure: (failure: ImportFailure) => void | Promise<void>;
  readonly onProgress?: (counts: ImportCounts) => void;
}

// Directories known to exist: mkdir -p is skipped for them. Bounded, so that a million directories do
// not make memory grow; forgetting one costs one idempotent mkdir again.
const KNOWN_DIRECTORIES_MAX = 50_000;

/**
 * Registers the files of a record stream in bulk, with bounded memory: batches of `batchSize` lines,
 * `inFlight` of them at once, the reader paused while all are busy.
 *
 * Resumable: a file that already exists counts as done (`existed`) when it is the file the line
 * describes — a file at that LFN whose GUID, size and checksum equal those the line gives (a line
 * without a GUID matches on what it does give). Anything else at that LFN is a failure. Since every
 * file is registered whole or not at all, re-running the same input after a crash or a failure finishes
 * the job without duplicates.
 */
export async function importFiles(records: AsyncIterable<InputRecord>, catalog: ImportCatalog, options: ImportOptions): Promise<ImportCounts> {
  const counts = { lines: 0, created: 0, existed: 0, failed: 0, bytesRead: 0 };
  const known = new Set<string>();
  const running = new Set<Promise<void>>();
  let stopped: unknown;
  let batch: { line: number; text: string; file: NewFile }[] = [];

  const fail = async (failure: ImportFailure): Promise<void> => {
    counts.failed++;
    await options.onFailure(failure);
  };

  const send = async (lines: typeof batch): Promise<void> => {
    const parents = [...new Set(lines.map((l) => parentPath(l.file.lfn)))].filter((d) => d !== '/' && !known.has(d));
    if (parents.length > 0) {
      const made = await catalog.makeDirectories(parents);
      made.forEach((outcome, i) => {
        if (!outcome.ok) return;
        if (known.size >= KNOWN_DIRECTORIES_MAX) known.clear();
        known.add(parents[i]!);
      });
    }
    const results = await catalog.createFiles(lines.map((l) => l.file));
    const existing: number[] = [];
    for (let i = 0; i < lines.length; i++) {
      const result = results[i]!;
      if (result.ok) counts.created++;
      else if (result.error.code === 'Exists') existing.push(i);
      else await fail({ line: lines[i]!.line, lfn: lines[i]!.file.lfn, code: result.error.code, message: result.error.message, input: lines[i]!.text });
    }
    if (existing.length > 0) {
      const found = await catalog.stat(existing.map((i) => lines[i]!.file.lfn));
      for (let k = 0; k < existing.length; k++) {
        const l = lines[existing[k]!]!;
        const mismatch = differences(l.file, found[k]);
        if (mismatch === undefined) counts.existed++;
        else await fail({ line: l.line, lfn: l.file.lfn, code: 'Exists', message: mismatch, input: l.text });
      }
    }
    options.onProgress?.({ ...counts });
  };

  const dispatch = async (lines: typeof batch): Promise<void> => {
    const job: Promise<void> = send(lines).then(
      () => void running.delete(job),
      (error: unknown) => {
        running.delete(job);
        stopped ??= error;
      },
    );
    running.add(job);
    while (running.size >= options.inFlight) await Promise.race(running);
  };

  for await (const record of records) {
    if (stopped !== undefined) break;
    counts.lines++;
    counts.bytesRead = record.bytesRead;
    if (record.file instanceof BadRecord) {
      await fail({ line: record.line, code: 'InvalidArgument', message: record.file.message, input: record.text });
      continue;
    }
    batch.push({ line: record.line, text: record.text, file: record.file });
    if (batch.length >= options.batchSize) {
      const full = batch;
      batch = [];
      await dispatch(full);
    }
  }
  if (batch.length > 0 && stopped === undefined) await dispatch(batch);
  await Promise.all(running);
  if (stopped !== undefined) throw stopped;
  options.onProgress?.({ ...counts });
  return counts;
}

/** Why an existing entry is not the file a line describes; undefined when it is. */
function differences(file: NewFile, entry: ExistingEntry | undefined): string | undefined {
  if (entry === undefined) return `${file.lfn}: exists (a SURL of this line belongs to another file, or its GUID is taken)`;
  if (entry.kind !== 'file') return `${file.lfn}: exists and is a ${entry.kind}`;
  if (file.guid !== undefined && normalizeGuid(file.guid) !== entry.guid) return `${file.lfn}: exists with another GUID (${entry.guid ?? 'none'})`;
  if (file.size !== undefined && file.size !== entry.size) return `${file.lfn}: exists with another size (${entry.size ?? 'none'})`;
  if (file.checksum !== undefined) {
    const theirs = entry.checksum;
    if (theirs === undefined || theirs.type !== file.checksum.type || normalizeHex(theirs.value) !== normalizeHex(file.checksum.value)) {
      return `${file.lfn}: exists with another checksum (${theirs === undefined ? 'none' : `${theirs.type}:${theirs.value}`})`;
    }
  }
  return undefined;
}

function normalizeGuid(guid: string): string {
  return guid.replace(/^guid:/i, '').toLowerCase();
}

/** adler32 is answered zero-padded in lowercase; a line may give it unpadded or in capitals. */
function normalizeHex(value: string): string {
  return value.toLowerCase().replace(/^0+(?=.)/, '');
}
