import type { ErrorCode, ItemError } from './contract';

/** Every `code` an SDK error can carry: the catalog's codes, and what only a client can see. */
export type ReplicatErrorCode = ErrorCode | 'Unauthenticated' | 'Http' | 'Network' | 'Timeout' | 'Aborted' | 'Incomplete';

export interface ReplicatErrorDetails {
  /** The HTTP status of the answer, when there was one. */
  readonly status?: number;
  /** The service's `x-request-id` for the request, to find it in the service's logs. */
  readonly requestId?: string;
  /** The problem+json body as the service sent it, when it sent one. */
  readonly problem?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/**
 * The one error hierarchy of the SDK. Whole-request failures are thrown as subclasses named like the
 * service's error codes (`NotExists`, `PermissionDenied`, …), plus the ones only a client sees
 * (`Unauthenticated`, `NetworkError`, `TimeoutError`, `AbortError`). Failed items of a bulk call are not
 * thrown: they are `{ok: false, error}` results, which `toError` turns into the same classes.
 *
 * ```ts
 * try {
 *   await client.whoami();
 * } catch (error) {
 *   if (error instanceof Unauthenticated) console.error('log in first', error.requestId);
 *   else throw error;
 * }
 * ```
 */
export abstract class ReplicatError extends Error {
  abstract readonly code: ReplicatErrorCode;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly problem: Readonly<Record<string, unknown>> | undefined;

  constructor(message: string, details: ReplicatErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.requestId = details.requestId;
    this.problem = details.problem;
  }
}

export class NotExists extends ReplicatError {
  readonly code = 'NotExists';
}
export class Exists extends ReplicatError {
  readonly code = 'Exists';
}
export class PermissionDenied extends ReplicatError {
  readonly code = 'PermissionDenied';
}
export class InvalidArgument extends ReplicatError {
  readonly code = 'InvalidArgument';
}
export class NotEmpty extends ReplicatError {
  readonly code = 'NotEmpty';
}
export class NotADirectory extends ReplicatError {
  readonly code = 'NotADirectory';
}
export class IsADirectory extends ReplicatError {
  readonly code = 'IsADirectory';
}
export class Loop extends ReplicatError {
  readonly code = 'Loop';
}
export class Conflict extends ReplicatError {
  readonly code = 'Conflict';
}
/** Too many items or too large a body for one request (413), or a limit of the catalog. */
export class LimitExceeded extends ReplicatError {
  readonly code = 'LimitExceeded';
}
/**
 * A database statement of the request ran past the service's statement deadline (504): the request
 * asked for too much at once. Never retried: the same request would take as long again.
 */
export class DeadlineExceeded extends ReplicatError {
  readonly code = 'DeadlineExceeded';
}
/** Too many failed logins, or the service's password checks are busy (429): retry after `Retry-After`. */
export class TooManyRequests extends ReplicatError {
  readonly code = 'TooManyRequests';
}
/** The service (its database) is unavailable for now (503); reads are retried before this is thrown. */
export class Unavailable extends ReplicatError {
  readonly code = 'Unavailable';
}
export class Internal extends ReplicatError {
  readonly code = 'Internal';
}

/** No credentials, or credentials the service refused (401). `methods` are the ways it accepts. */
export class Unauthenticated extends ReplicatError {
  readonly code = 'Unauthenticated';
  readonly methods: readonly string[];
  constructor(message: string, details: ReplicatErrorDetails & { readonly methods?: readonly string[] } = {}) {
    super(message, details);
    this.methods = details.methods ?? [];
  }
}

/** An answer that is not the contract's: a proxy's error page, an unknown status, a malformed body. */
export class HttpError extends ReplicatError {
  readonly code = 'Http';
}

/** The service could not be reached, or the connection broke (`cause` is the transport's error). */
export class NetworkError extends ReplicatError {
  readonly code = 'Network';
}

/** An attempt took longer than the client's `timeoutMs`. */
export class TimeoutError extends ReplicatError {
  readonly code = 'Timeout';
}

/** The caller's AbortSignal fired; `cause` is the signal's reason. */
export class AbortError extends ReplicatError {
  readonly code = 'Aborted';
}

/**
 * A bulk call split into several requests failed part-way: `results` holds the results of the requests
 * that were answered (so their items were applied) and `undefined` for the items never answered;
 * `cause` is the error that stopped it.
 */
export class IncompleteBulkError<R = unknown> extends ReplicatError {
  readonly code = 'Incomplete';
  readonly results: readonly (R | undefined)[];
  /** Items with a result. */
  readonly completed: number;

  constructor(message: string, results: readonly (R | undefined)[], cause: ReplicatError) {
    super(message, { cause, ...(cause.requestId !== undefined ? { requestId: cause.requestId } : {}) });
    this.results = results;
    this.completed = results.filter((r) => r !== undefined).length;
  }
}

type CatalogErrorClass = new (message: string, details?: ReplicatErrorDetails) => ReplicatError;

/** Keyed by the contract's ErrorCode: adding a code to openapi.yaml fails the build until it is here. */
const BY_CODE: Readonly<Record<ErrorCode, CatalogErrorClass>> = {
  NotExists,
  Exists,
  PermissionDenied,
  InvalidArgument,
  NotEmpty,
  NotADirectory,
  IsADirectory,
  Loop,
  Conflict,
  LimitExceeded,
  DeadlineExceeded,
  TooManyRequests,
  Unavailable,
  Internal,
};

/** The catalog's error codes, as the contract lists them. */
export const ERROR_CODES = Object.keys(BY_CODE) as readonly ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(BY_CODE, value);
}

/**
 * The error of a failed item as an exception, for callers who would rather throw:
 *
 * ```ts
 * const [result] = await client.entries.stat(['/grid/vo/a']);
 * if (!result.ok) throw toError(result.error);
 * ```
 */
export function toError(error: ItemError, details: ReplicatErrorDetails = {}): ReplicatError {
  const ErrorClass = BY_CODE[error.code] ?? Internal;
  return new ErrorClass(error.message, details);
}

/** The status the service uses for a code when the body does not say (a body from a proxy, say). */
const CODE_OF_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'InvalidArgument',
  403: 'PermissionDenied',
  404: 'NotExists',
  409: 'Conflict',
  413: 'LimitExceeded',
  429: 'TooManyRequests',
  503: 'Unavailable',
};

/**
 * A whole-request failure as an error: the problem+json `code` when the body is one of the service's
 * problems, else the status alone decides.
 */
export function errorFromResponse(status: number, body: unknown, requestId: string | undefined): ReplicatError {
  const problem = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const id = requestId ?? (typeof problem?.requestId === 'string' ? problem.requestId : undefined);
  const details: ReplicatErrorDetails = { status, ...(id !== undefined ? { requestId: id } : {}), ...(problem ? { problem } : {}) };
  const detail = typeof problem?.detail === 'string' ? problem.detail : typeof problem?.title === 'string' ? problem.title : undefined;
  const message = detail ?? describeBody(status, body);
  if (status === 401) {
    const methods = Array.isArray(problem?.methods) ? problem.methods.filter((m): m is string => typeof m === 'string') : [];
    return new Unauthenticated(message, { ...details, methods });
  }
  const code = isErrorCode(problem?.code) ? problem.code : CODE_OF_STATUS[status];
  if (code !== undefined) return new BY_CODE[code](message, details);
  if (status >= 500) return new Internal(message, details);
  return new HttpError(message, details);
}

function describeBody(status: number, body: unknown): string {
  const text = typeof body === 'string' ? body.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
  return `HTTP ${status}${text !== '' ? `: ${text}` : ''}`;
}
