import { setTimeout as sleep } from 'node:timers/promises';
import type { Transaction } from 'kysely';
import { isRace, toCatalogError } from './db-errors';
import type { Database, Db } from './schema';

const MAX_ATTEMPTS = 6;

/**
 * Runs `work` in a transaction (READ COMMITTED) and runs it again from the start when it lost a race
 * (deadlock, serialization failure, a unique or foreign key check against a concurrent commit).
 * `work` must therefore be free of side effects outside the database.
 *
 * When `db` is already a transaction, `work` joins it: a face that wants several core calls (or all
 * items of a request) to be one unit opens the transaction itself, and owns retrying it (`withinTransaction`).
 */
export async function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db as Transaction<Database>);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt < MAX_ATTEMPTS && isRace(error)) {
        await sleep(Math.random() * 5 * attempt);
        continue;
      }
      throw toCatalogError(error);
    }
  }
}

/** Runs a read-only query and maps driver errors (connection lost, timeouts) to the catalog's errors. */
export async function reading<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toCatalogError(error);
  }
}

/**
 * Opens one transaction for a caller that composes core operations into an all-or-nothing unit (the
 * SOAP face runs a call's items this way). Throwing from `work` rolls everything back; lost races are
 * retried from the start like any transaction.
 */
export const withinTransaction = inTransaction;
