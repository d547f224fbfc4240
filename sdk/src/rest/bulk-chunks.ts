import { HttpError, IncompleteBulkError, ReplicatError } from '../errors';

/** What one request may carry, as the service advertises it (GET /api/v1/limits). */
export interface BulkLimits {
  readonly maxItems: number;
  readonly maxBodyBytes: number;
}

export interface BulkProgress {
  /** Items answered so far. */
  readonly done: number;
  readonly total: number;
}

export interface ChunkOptions {
  /** Requests in flight at once (default 1). Results are merged in item order whatever the order of answers. */
  readonly concurrency?: number;
  /** Called after each answered request, e.g. to move a progress bar. */
  readonly onProgress?: (progress: BulkProgress) => void;
}

interface Chunk {
  readonly start: number;
  readonly end: number;
}

// `{"items":[` and `]}`, with room to spare.
const ENVELOPE_BYTES = 32;

/**
 * Cuts serialized items into consecutive runs that fit one request: at most `maxItems` items and a body
 * of at most `maxBodyBytes`. An item too large on its own still gets a request, for the service to refuse
 * with a clear message.
 */
export function planChunks(itemBytes: readonly number[], limits: BulkLimits): Chunk[] {
  const budget = Math.max(1, limits.maxBodyBytes - ENVELOPE_BYTES);
  const chunks: Chunk[] = [];
  let start = 0;
  let bytes = 0;
  itemBytes.forEach((size, index) => {
    const withComma = size + 1;
    if (index > start && (index - start >= limits.maxItems || bytes + withComma > budget)) {
      chunks.push({ start, end: index });
      start = index;
      bytes = 0;
    }
    bytes += withComma;
  });
  if (start < itemBytes.length) chunks.push({ start, end: itemBytes.length });
  return chunks;
}

/**
 * Sends items in as many requests as the limits need and merges the results in item order. When a
 * request fails, no further request is started; if earlier ones were answered (so applied), the error
 * is an IncompleteBulkError holding their results.
 */
export async function sendInChunks<I, R>(
  items: readonly I[],
  limits: BulkLimits,
  send: (chunk: I[], body: string) => Promise<readonly R[]>,
  options: ChunkOptions,
): Promise<R[]> {
  const serialized = items.map((item) => JSON.stringify(item));
  const chunks = planChunks(
    serialized.map((text) => Buffer.byteLength(text, 'utf8')),
    limits,
  );
  const results: (R | undefined)[] = new Array<R | undefined>(items.length).fill(undefined);
  let next = 0;
  let done = 0;
  let answered = 0;
  let failure: { readonly error: unknown } | undefined;

  const worker = async (): Promise<void> => {
    while (failure === undefined && next < chunks.length) {
      const { start, end } = chunks[next++]!;
      try {
        const body = `{"items":[${serialized.slice(start, end).join(',')}]}`;
        const answer = await send(items.slice(start, end), body);
        if (answer.length !== end - start) {
          throw new HttpError(`the service answered ${answer.length} results for ${end - start} items`);
        }
        answer.forEach((result, offset) => (results[start + offset] = result));
        done += end - start;
        answered++;
        options.onProgress?.({ done, total: items.length });
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, chunks.length));
  await Promise.all(Array.from({ length: workers }, worker));

  if (failure !== undefined) {
    const { error } = failure;
    if (answered === 0 || !(error instanceof ReplicatError)) throw error;
    throw new IncompleteBulkError(
      `${done} of ${items.length} items were answered before a request failed: ${error.message}`,
      results,
      error,
    );
  }
  // Every chunk was answered with as many results as it had items, so no slot is left undefined.
  return results as R[];
}
