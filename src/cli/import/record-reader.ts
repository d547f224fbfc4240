import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { UsageError } from '../exit-codes';
import { splitCsvRow } from './csv-row';
import { BadRecord, RECORD_FIELDS, toNewFile, type NewFile } from './new-file';

export type InputFormat = 'ndjson' | 'csv';

/** One line of input: the file it describes, or why it does not describe one. */
export interface InputRecord {
  /** 1-based line number in the input. */
  readonly line: number;
  readonly text: string;
  readonly file: NewFile | BadRecord;
  /** Bytes of input read so far (for progress). */
  readonly bytesRead: number;
}

/** The format of an input: `--format`, else by extension (.csv; .ndjson, .jsonl, .json), else NDJSON. */
export function inputFormat(path: string, explicit: string | undefined): InputFormat {
  if (explicit !== undefined) {
    if (explicit !== 'ndjson' && explicit !== 'csv') throw new UsageError(`--format ${explicit}: use ndjson or csv`);
    return explicit;
  }
  return /\.csv$/i.test(path) ? 'csv' : 'ndjson';
}

/**
 * Reads an input a line at a time (readline over a stream: memory does not grow with the file). Blank
 * lines and lines starting with `#` are skipped; a CSV input starts with a header naming its columns.
 */
export async function* readRecords(input: Readable, format: InputFormat): AsyncGenerator<InputRecord> {
  const bytes = (): number => (input as Readable & { bytesRead?: number }).bytesRead ?? 0;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  let header: string[] | undefined;
  for await (const raw of lines) {
    lineNumber++;
    const text = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '' || text.startsWith('#')) continue;
    if (format === 'csv' && header === undefined) {
      header = csvHeader(text, lineNumber);
      continue;
    }
    let file: NewFile | BadRecord;
    try {
      file = toNewFile(format === 'csv' ? csvRecord(header!, text) : jsonRecord(text));
    } catch (error) {
      if (!(error instanceof BadRecord)) throw error;
      file = error;
    }
    yield { line: lineNumber, text, file, bytesRead: bytes() };
  }
}

/** A file's records; `-` reads standard input. */
export function openInput(path: string, stdin: Readable): Readable {
  return path === '-' ? stdin : createReadStream(path, { highWaterMark: 256 * 1024 });
}

function jsonRecord(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BadRecord(`not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRecord('a record is a JSON object');
  return value as Record<string, unknown>;
}

function csvHeader(text: string, line: number): string[] {
  let names: string[];
  try {
    names = splitCsvRow(text).map((name) => name.trim().toLowerCase());
  } catch (error) {
    throw new UsageError(`line ${line}: the CSV header: ${(error as Error).message}`);
  }
  const known: ReadonlySet<string> = new Set(RECORD_FIELDS);
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new UsageError(`line ${line}: unknown CSV column(s) ${unknown.join(', ')} (known: ${RECORD_FIELDS.join(', ')})`);
  if (!names.includes('lfn')) throw new UsageError(`line ${line}: the CSV header has no lfn column`);
  return names;
}

function csvRecord(header: readonly string[], text: string): Record<string, unknown> {
  const cells = splitCsvRow(text);
  if (cells.length > header.length) throw new BadRecord(`${cells.length} cells for ${header.length} columns`);
  const record: Record<string, unknown> = {};
  header.forEach((name, i) => {
    const cell = cells[i];
    if (cell !== undefined && cell !== '') record[name] = cell;
  });
  return record;
}
