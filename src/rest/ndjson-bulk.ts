import { isUtf8 } from 'node:buffer';
import type { Request, Response } from 'express';
import type { CatalogContext } from '../core/context';
import { CatalogError, InvalidArgument, LimitExceeded } from '../core/errors';
import { fail, type Result } from '../core/result';
import { resultJson } from './json-text';
import { NdjsonWriter, startNdjson } from './ndjson';
import type { Check } from './validation';

/** Items resolved per core call: big enough for set-based SQL to pay, small enough to keep memory flat. */
const CHUNK_ITEMS = 1000;
/**
 * No single item is anywhere near this long; a longer line is a broken or hostile client, cut with 413 at
 * once. This is the only limit of a streamed body: it is read in constant memory, however many lines it has.
 */
const MAX_LINE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
/** A line whose bytes are not UTF-8: that item's failure, as a line that is not JSON. */
const NOT_UTF8 = Symbol('not UTF-8');

export type StreamHandler = (ctx: CatalogContext, req: Request, res: Response, checkItem: Check) => Promise<void>;

/**
 * A bulk operation fed with NDJSON (one item a line) and answering NDJSON (one result a line, in
 * order), any number of items in constant memory: items are read a chunk at a time, the chunk goes
 * through the same core operation as a JSON request, and the next chunk is read only once its results
 * are written and the client has taken them. Each line is checked against the item's schema on its
 * own: a bad line is that item's failure, not the request's.
 */
export function streamBulk<I, T>(
  operation: (ctx: CatalogContext, items: readonly I[]) => Promise<Result<T>[]>,
  fields: (value: T) => string,
): StreamHandler {
  return async (ctx, req, res, checkItem) => {
    const chunkItems = Math.max(1, Math.min(CHUNK_ITEMS, ctx.limits.maxItems));
    let out: NdjsonWriter | undefined;
    let lines: (string | typeof NOT_UTF8)[] = [];
    let numbered = 0;
    const answer = async (): Promise<void> => {
      if (lines.length === 0) return;
      const batch = lines;
      lines = [];
      const parsed = batch.map((line) => parseLine<I>(line, ++numbered, checkItem));
      const valid = parsed.filter((p): p is { item: I } => !(p instanceof CatalogError));
      const results = valid.length > 0 ? await operation(ctx, valid.map((v) => v.item)) : [];
      // Headers go out with the first results, so a failure before them is still a proper problem.
      if (out === undefined) {
        startNdjson(res);
        out = new NdjsonWriter(res);
      }
      let k = 0;
      for (const p of parsed) out.line(resultJson(p instanceof CatalogError ? fail(p) : results[k++]!, fields));
      await out.flush();
    };

    let partial: Buffer = Buffer.alloc(0);
    for await (const chunk of req as AsyncIterable<Buffer>) {
      if (out?.closed) return;
      const last = chunk.lastIndexOf(NEWLINE);
      if (last < 0) {
        partial = partial.length === 0 ? chunk : Buffer.concat([partial, chunk]);
      } else {
        for (const line of splitLines(partial.length === 0 ? chunk.subarray(0, last) : Buffer.concat([partial, chunk.subarray(0, last)]))) {
          lines.push(line);
          if (lines.length >= chunkItems) await answer();
        }
        partial = chunk.subarray(last + 1);
      }
      if (partial.length > MAX_LINE_BYTES) throw new LimitExceeded(`an NDJSON line is longer than ${MAX_LINE_BYTES} bytes`);
    }
    lines.push(...splitLines(partial));
    await answer();
    if (out === undefined) startNdjson(res);
    res.end();
  };
}

/**
 * The non-blank lines of whole lines' bytes. A newline byte never occurs inside a UTF-8 sequence, so lines
 * split as bytes are the lines of the text; a block that is all valid UTF-8 (the usual case) is decoded at once.
 */
function splitLines(bytes: Buffer): (string | typeof NOT_UTF8)[] {
  if (bytes.length === 0) return [];
  if (isUtf8(bytes)) return bytes.toString('utf8').split('\n').filter((line) => line.trim() !== '');
  const lines: (string | typeof NOT_UTF8)[] = [];
  for (let start = 0; start <= bytes.length; ) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    const line = bytes.subarray(start, end);
    if (!isUtf8(line)) lines.push(NOT_UTF8);
    else {
      const text = line.toString('utf8');
      if (text.trim() !== '') lines.push(text);
    }
    start = end + 1;
  }
  return lines;
}

function parseLine<I>(line: string | typeof NOT_UTF8, number: number, checkItem: Check): { item: I } | CatalogError {
  if (line === NOT_UTF8) return new InvalidArgument(`item ${number} is not valid UTF-8`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return new InvalidArgument(`item ${number} is not valid JSON`);
  }
  const issues = checkItem(value);
  if (issues.length > 0) {
    const first = issues[0]!;
    return new InvalidArgument(`item ${number} does not match the API: ${first.path} ${first.message}`);
  }
  return { item: value as I };
}
