import { CatalogError, Conflict, DeadlineExceeded, Internal, Unavailable } from '../core/errors';

/** SQLSTATEs that mean "two transactions raced; run it again and it will see the winner". */
const RACE_STATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '23505', // unique_violation: e.g. two first replicas of one file both claiming master
  '23503', // foreign_key_violation: a parent or file removed under a concurrent insert
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

export function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

export function isRace(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && RACE_STATES.has(state);
}

export function isUnavailable(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined) {
    if (NETWORK_CODES.has(state)) return true;
    // 08: connection exception; 57P0x: shutdown / cannot connect now; 53300: too many connections;
    // 57014 other than a statement timeout: an administrator cancelled the statement;
    // 25006: a write reached a read-only server (a primary just demoted, before the pool moved on).
    if (state.startsWith('08') || state.startsWith('57P') || state === '53300' || (state === '57014' && !isStatementTimeout(error)) || state === '25006') return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /timeout exceeded when trying to connect|Connection terminated|Query read timeout|connect ECONNREFUSED|Client has encountered a connection error/i.test(
    message,
  );
}

/**
 * The statement ran past its deadline: PostgreSQL's statement_timeout, or the PGlite session's own
 * deadline, which reports the same SQLSTATE and wording.
 */
export function isStatementTimeout(error: unknown): boolean {
  return sqlState(error) === '57014' && error instanceof Error && /statement timeout/i.test(error.message);
}

/** Turns whatever a driver threw into the catalog's error hierarchy. */
export function toCatalogError(error: unknown): CatalogError {
  if (error instanceof CatalogError) return error;
  if (isStatementTimeout(error)) {
    return new DeadlineExceeded('a database statement of this request ran past its deadline and was stopped; ask for less at once', {
      cause: error,
    });
  }
  if (isUnavailable(error)) return new Unavailable('the database is unavailable; retry later', { cause: error });
  if (isRace(error)) return new Conflict('a concurrent change conflicted with this one; retry', { cause: error });
  return new Internal('internal error', { cause: error });
}
