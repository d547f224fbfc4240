/**
 * The messages between the service's thread and the worker thread that owns PGlite
 * (`pglite-worker.ts`). Values cross by structured clone, which keeps Dates, typed arrays, bigints and
 * parsed JSON as they are: rows arrive as PGlite built them.
 */

/** What the worker is started with (`workerData`). */
export interface WorkerOptions {
  /** A directory to persist in, or undefined for an in-memory database. */
  readonly dataDir: string | undefined;
}

/** One statement with parameters (extended protocol), or a parameterless multi-statement script. */
export type Statement =
  | { readonly kind: 'query'; readonly sql: string; readonly parameters: readonly unknown[] }
  | { readonly kind: 'exec'; readonly sql: string }
  | { readonly kind: 'close' };

export type WorkerRequest = Statement & { readonly id: number };

export interface StatementResult {
  readonly rows: unknown[];
  /** Rows an INSERT, UPDATE or DELETE touched; absent (or 0) for other statements. */
  readonly affectedRows: number | undefined;
}

/** A database error's message and its fields (`code` is the SQLSTATE, as node-postgres reports it). */
export interface SerializedError {
  readonly message: string;
  readonly fields: Readonly<Record<string, string | number>>;
}

export type WorkerAnswer =
  | { readonly kind: 'opened' }
  | { readonly kind: 'open-failed'; readonly error: SerializedError }
  | ({ readonly kind: 'done'; readonly id: number } & StatementResult)
  | { readonly kind: 'failed'; readonly id: number; readonly error: SerializedError };

const NOT_FIELDS = new Set(['stack', 'message', 'name']);

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { message: String(error), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(error)) {
    if (!NOT_FIELDS.has(key) && (typeof value === 'string' || typeof value === 'number')) fields[key] = value;
  }
  return { message: error.message, fields };
}

/** An error raised by the database in the worker, with the fields PGlite gave it (code, detail, …). */
export class PgliteDatabaseError extends Error {
  constructor(serialized: SerializedError) {
    super(serialized.message);
    Object.assign(this, serialized.fields);
    this.name = 'PgliteDatabaseError';
  }
}
