import { NetworkError, TimeoutError, Unavailable } from '@replicat/sdk';

/**
 * What get and put need of one SRM. The SDK's `SrmClient` provides it; tests may fake it. Per-file
 * statuses are data (`SRM_FILE_PINNED`, `SRM_FILE_UNAVAILABLE`, …); a thrown error means the SRM did not
 * answer the request at all.
 */
export interface SrmAccess {
  prepareToGet(surls: readonly string[], options?: { protocols?: readonly string[] }): Promise<SrmRequestView>;
  prepareToPut(files: readonly { surl: string; lfn: string }[], options?: { protocols?: readonly string[] }): Promise<SrmRequestView>;
  waitUntilReady(token: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<SrmRequestView>;
  putDone(token: string, surls?: readonly string[]): Promise<SrmRequestView>;
  release(token: string, surls?: readonly string[]): Promise<unknown>;
  abort(token: string): Promise<unknown>;
  rm(surls: readonly string[]): Promise<readonly SrmFileView[]>;
  download(turl: string, destination: string, options?: { onBytes?: (n: number) => void; signal?: AbortSignal }): Promise<{ size: number; adler32: string }>;
  upload(turl: string, source: string, options?: { size?: number; onBytes?: (n: number) => void; signal?: AbortSignal }): Promise<{ size: number; adler32: string }>;
}

export interface SrmRequestView {
  readonly token: string;
  readonly status: string;
  readonly files: readonly SrmFileView[];
}

export interface SrmFileView {
  readonly surl: string;
  readonly status: string;
  readonly explanation?: string;
  readonly turl?: string;
  readonly size?: number;
  readonly checksum?: { readonly type: string; readonly value: string };
}

/** One line for a file's SRM status: `SRM_FILE_UNAVAILABLE (storage element se2 is offline)`. */
export function describeStatus(file: SrmFileView): string {
  return file.explanation === undefined ? file.status : `${file.status} (${file.explanation})`;
}

/** Runs `work` on every item with at most `limit` at once, in order of the list. */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The message of anything thrown, for a per-file report. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The code of a per-file failure whose cause is an SRM that could not be reached (no answer, a timeout,
 * 503): `Unreachable`, which ends the command with exit 3 like an unreachable catalog; else `otherwise`.
 */
export function srmFailureCode<C extends string>(error: unknown, otherwise: C): C | 'Unreachable' {
  return error instanceof NetworkError || error instanceof TimeoutError || error instanceof Unavailable ? 'Unreachable' : otherwise;
}
