import type { ListedEntry } from '../core/entry';
import type { JsonBytes } from './json-bytes';
import type { Result } from '../core/result';
import { toItemError } from './problem';

/**
 * JSON text for the shapes bulk answers repeat thousands of times, built as strings. Encoding 10,000
 * entries through intermediate objects and `JSON.stringify` cost more than the database work behind
 * them (objects per field, spreads, then a walk over all of it); strings go straight to the socket.
 * Every function here writes exactly what its object twin in `encode.ts` would serialize to, in the
 * same key order, so the two stay interchangeable (test/rest/json-text.test.ts holds them together).
 */
export function entryJson(entry: ListedEntry): string {
  const head =
    `{"lfn":${JSON.stringify(entry.lfn)},"kind":"${entry.kind}","owner":${JSON.stringify(entry.owner)},` +
    `"group":${JSON.stringify(entry.group)},"ctime":"${isoTime(entry.ctime)}","mtime":"${isoTime(entry.mtime)}"`;
  switch (entry.kind) {
    case 'directory':
      return `${head}}`;
    case 'symlink':
      return `${head},"target":${JSON.stringify(entry.target)}}`;
    case 'file': {
      let text = `${head},"guid":"${entry.guid}"`;
      if (entry.size !== null) text += `,"size":${entry.size}`;
      if (entry.checksum !== null) text += `,"checksum":{"type":"${entry.checksum.type}","value":${JSON.stringify(entry.checksum.value)}}`;
      return `${text}}`;
    }
  }
}

/**
 * `entryJson` written as bytes (see `JsonBytes`), for an NDJSON listing of a million lines: the same
 * bytes `entryJson` gives once encoded as UTF-8, without a string per line.
 */
export function writeEntryJson(out: JsonBytes, entry: ListedEntry): void {
  out.ascii('{"lfn":');
  out.string(entry.lfn);
  out.ascii(KIND_OWNER[entry.kind]);
  out.string(entry.owner);
  out.ascii(',"group":');
  out.string(entry.group);
  out.ascii(',"ctime":"');
  out.ascii(isoTime(entry.ctime));
  out.ascii('","mtime":"');
  out.ascii(isoTime(entry.mtime));
  switch (entry.kind) {
    case 'directory':
      out.ascii('"}');
      return;
    case 'symlink':
      out.ascii('","target":');
      out.string(entry.target);
      out.ascii('}');
      return;
    case 'file':
      out.ascii('","guid":"');
      out.ascii(entry.guid);
      out.ascii('"');
      if (entry.size !== null) {
        out.ascii(',"size":');
        out.ascii(String(entry.size));
      }
      if (entry.checksum !== null) {
        out.ascii(',"checksum":{"type":"');
        out.ascii(entry.checksum.type);
        out.ascii('","value":');
        out.string(entry.checksum.value);
        out.ascii('}');
      }
      out.ascii('}');
  }
}

const KIND_OWNER = { directory: ',"kind":"directory","owner":', file: ',"kind":"file","owner":', symlink: ',"kind":"symlink","owner":' } as const;

// Rows written together share their times (a transaction's now()), so bulk answers repeat a handful
// of instants thousands of times: the last one is remembered.
let lastTime = Number.NaN;
let lastIso = '';

function isoTime(date: Date): string {
  const time = date.getTime();
  if (time !== lastTime) {
    lastIso = date.toISOString();
    lastTime = time;
  }
  return lastIso;
}

/**
 * One bulk result: `{"ok":true,<fields>}` or `{"ok":false,"error":{...}}`. `fields` is the JSON text of
 * the success fields without braces (`"entry":{...}`), empty for results that carry none.
 */
export function resultJson<T>(result: Result<T>, fields: (value: T) => string): string {
  if (!result.ok) return `{"ok":false,"error":${JSON.stringify(toItemError(result.error))}}`;
  const text = fields(result.value);
  return text === '' ? '{"ok":true}' : `{"ok":true,${text}}`;
}

/** `{"results":[...]}` for a whole bulk answer. */
export function resultsJson<T>(results: readonly Result<T>[], fields: (value: T) => string): string {
  return `{"results":[${resultsText(results, fields)}]}`;
}

/** The results of a bulk answer, comma-separated, without the brackets around them. */
export function resultsText<T>(results: readonly Result<T>[], fields: (value: T) => string): string {
  const parts = new Array<string>(results.length);
  for (let i = 0; i < results.length; i++) parts[i] = resultJson(results[i]!, fields);
  return parts.join(',');
}
