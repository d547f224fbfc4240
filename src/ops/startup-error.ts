/**
 * The service cannot start in this environment (the database does not answer, a port is taken, a
 * certificate does not parse). `main` prints the message as one line and exits non-zero, without a
 * stack trace: the message names the setting to fix.
 */
import { redactPostgresUrl } from '../db/postgres/multi-host-url';

export class StartupError extends Error {}

/** A database URL fit for a log line: the password, if any, replaced. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // libpq's multi-host form (h1:5432,h2:5432) is no WHATWG URL.
    return /^postgres(ql)?:\/\//.test(url) ? redactPostgresUrl(url) : '(unparsable URL)';
  }
}

/** Why a database connection failed, in words an operator can act on. */
export function describeDatabaseFailure(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is PostgreSQL running and listening there?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case '28P01':
    case '28000':
      return `authentication failed: ${message}`;
    case '3D000':
      return `${message} (create it first, e.g. createdb)`;
    default:
      return message;
  }
}
