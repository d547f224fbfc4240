import type { Request, Response } from 'express';
import type { CatalogContext } from '../core/context';
import { CatalogError, InvalidArgument, LimitExceeded } from '../core/errors';
import { fail, type Result } from '../core/result';
import { resultJson } from './json-text';
import { NdjsonWriter, startNdjson } from './ndjson';
import type { Check } from './validation';

/** Items resolved per core call: big enough for set-based SQL to pay, small enough to keep memory flat. */
const CHUNK_ITEMS = 1000;
/** No single item is anywhere near this long; a longer line is a broken or hostile client. */
const MAX_LINE_CHARS = 64 * 1024;

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
    let lines: string[] = [];
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

    let partial = '';
    req.setEncoding('utf8');
    for await (const chunk of req as AsyncIterable<string>) {
      if (out?.closed) return;
      let start = 0;
      for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
        const line = partial + chunk.slice(start, nl);
        partial = '';
        start = nl + 1;
        if (line.trim() !== '') lines.push(line);
        if (lines.length >= chunkItems) await answer();
      }
      partial += chunk.slice(start);
      if (partial.length > MAX_LINE_CHARS) throw new LimitExceeded(`an NDJSON line is longer than ${MAX_LINE_CHARS} characters`);
    }
    if (partial.trim() !== '') lines.push(partial);
    await answer();
    if (out === undefined) startNdjson(res);
    res.end();
  };
}

function parseLine<I>(line: string, number: number, checkItem: Check): { item: I } | CatalogError {
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
