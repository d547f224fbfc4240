import type { CatalogContext } from '../core/context';
import { CatalogError, type ErrorCode } from '../core/errors';
import type { Result } from '../core/result';
import { withinTransaction } from '../db/transaction';

/** The first failing item of a call, named, with the error core gave it; it fails the whole call. */
export class ItemFailed extends CatalogError {
  readonly code: ErrorCode;
  constructor(cause: CatalogError, index: number, count: number, name: string) {
    super(`item ${index + 1} of ${count} (${name}): ${cause.message}`, { cause });
    this.code = cause.code;
  }
}

type BulkOperation<I, T> = (ctx: CatalogContext, items: readonly I[]) => Promise<Result<T>[]>;

/**
 * Fireman clients expect a call to succeed or to fault. A changing call runs all its items in one
 * transaction: if any item fails, everything is rolled back and the call faults with the first failing
 * item's error, naming it. Reading calls do the same without a transaction.
 */
export async function changeAll<I, T>(ctx: CatalogContext, operation: BulkOperation<I, T>, items: readonly I[], name: (item: I) => string): Promise<T[]> {
  return withinTransaction(ctx.db, async (trx) => valuesOrThrow(await operation({ ...ctx, db: trx }, items), items, name));
}

export async function readAll<I, T>(ctx: CatalogContext, operation: BulkOperation<I, T>, items: readonly I[], name: (item: I) => string): Promise<T[]> {
  return valuesOrThrow(await operation(ctx, items), items, name);
}

function valuesOrThrow<I, T>(results: readonly Result<T>[], items: readonly I[], name: (item: I) => string): T[] {
  return results.map((result, index) => {
    if (!result.ok) throw new ItemFailed(result.error, index, items.length, clip(name(items[index]!)));
    return result.value;
  });
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
