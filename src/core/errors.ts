/**
 * The one error hierarchy of replicat. Core throws or returns these; `rest/problem.ts` maps them to
 * problem+json and the SOAP face maps them to Fireman faults. Nothing else invents error shapes.
 */
export const ERROR_CODES = [
  'NotExists',
  'Exists',
  'PermissionDenied',
  'InvalidArgument',
  'NotEmpty',
  'NotADirectory',
  'IsADirectory',
  'Loop',
  'Conflict',
  'LimitExceeded',
  'DeadlineExceeded',
  'TooManyRequests',
  'Unavailable',
  'Internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export abstract class CatalogError extends Error {
  abstract readonly code: ErrorCode;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class NotExists extends CatalogError {
  readonly code = 'NotExists';
}
export class Exists extends CatalogError {
  readonly code = 'Exists';
}
export class PermissionDenied extends CatalogError {
  readonly code = 'PermissionDenied';
}
export class InvalidArgument extends CatalogError {
  readonly code = 'InvalidArgument';
}
export class NotEmpty extends CatalogError {
  readonly code = 'NotEmpty';
}
export class NotADirectory extends CatalogError {
  readonly code = 'NotADirectory';
}
export class IsADirectory extends CatalogError {
  readonly code = 'IsADirectory';
}
export class Loop extends CatalogError {
  readonly code = 'Loop';
}
export class Conflict extends CatalogError {
  readonly code = 'Conflict';
}
export class LimitExceeded extends CatalogError {
  readonly code = 'LimitExceeded';
}
/**
 * A database statement of the request ran past the statement deadline and was stopped. Usually the
 * request asked for too much at once; the same request would likely take as long again.
 */
export class DeadlineExceeded extends CatalogError {
  readonly code = 'DeadlineExceeded';
}
/**
 * The caller asked too often (failed logins) or the service is too busy to check a password now; the
 * request may be sent again after `retryAfterSeconds`.
 */
export class TooManyRequests extends CatalogError {
  readonly code = 'TooManyRequests';
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}
/** The database (or another dependency) cannot be reached; the request may be retried. */
export class Unavailable extends CatalogError {
  readonly code = 'Unavailable';
}
/** A bug or an unexpected state; the message is safe to show, the cause is logged. */
export class Internal extends CatalogError {
  readonly code = 'Internal';
}

export function isCatalogError(value: unknown): value is CatalogError {
  return value instanceof CatalogError;
}
