import { errorFromResponse, ReplicatError, Unauthenticated, Unavailable, type ReplicatErrorCode, type ReplicatErrorDetails } from '../errors';
import type { SrmRequestStatus, SrmStatusCode } from './srm-contract';

/** The catalog's word for what an HTTP status of the SRM or a storage host means. */
function codeOfStatus(status: number | undefined): ReplicatErrorCode {
  switch (status) {
    case 400:
    case 416:
      return 'InvalidArgument';
    case 401:
      return 'Unauthenticated';
    case 413:
      return 'LimitExceeded';
    case 403:
      return 'PermissionDenied';
    case 404:
      return 'NotExists';
    case 503:
      return 'Unavailable';
    default:
      return status !== undefined && status >= 500 ? 'Internal' : 'Http';
  }
}

/**
 * A call the SRM refused as a whole (HTTP 400, 403, 404, 413, 500 with `{status, explanation}`): a malformed
 * call, someone else's request, an unknown request token. `srmStatus` is the SRM's code
 * (`SRM_INVALID_REQUEST`, `SRM_AUTHORIZATION_FAILURE`, …), `code` the catalog's word for the same
 * (`InvalidArgument`, `PermissionDenied`, `NotExists`, `LimitExceeded`, `Internal`). Refused credentials (401) are
 * `Unauthenticated`, as with the catalog. Files that fail are not errors: they are statuses in the answer.
 *
 * ```ts
 * try {
 *   await srm.status(token);
 * } catch (error) {
 *   if (error instanceof SrmError && error.code === 'NotExists') console.error('the SRM forgot the request');
 *   else throw error;
 * }
 * ```
 */
export class SrmError extends ReplicatError {
  readonly code: ReplicatErrorCode;
  readonly srmStatus: SrmStatusCode;

  constructor(message: string, srmStatus: SrmStatusCode, details: ReplicatErrorDetails = {}) {
    super(message, details);
    this.srmStatus = srmStatus;
    this.code = codeOfStatus(details.status);
  }
}

/**
 * Bytes could not be moved to or from a TURL: the storage answered `status` (403: the pin or the space is
 * gone, or the TURL's signature expired; 404: no such file). `srmStatus` when the storage said one. A
 * connection that breaks is a NetworkError instead, a caller's abort an AbortError.
 */
export class TurlError extends ReplicatError {
  readonly code: ReplicatErrorCode;
  readonly srmStatus: SrmStatusCode | undefined;

  constructor(message: string, srmStatus: SrmStatusCode | undefined, details: ReplicatErrorDetails = {}) {
    super(message, details);
    this.srmStatus = srmStatus;
    this.code = codeOfStatus(details.status);
  }
}

/** `waitUntilReady` ran out of time with files still queued or in progress; `last` is the status last seen. */
export class SrmTimeoutError extends ReplicatError {
  readonly code = 'Timeout';
  readonly last: SrmRequestStatus;

  constructor(message: string, last: SrmRequestStatus) {
    super(message);
    this.last = last;
  }
}

/** An SRM failure body, `{status: 'SRM_…', explanation}`, else undefined. */
export function srmFailureOf(body: unknown): { readonly status: SrmStatusCode; readonly explanation: string } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { status, explanation } = body as { status?: unknown; explanation?: unknown };
  if (typeof status !== 'string' || !status.startsWith('SRM_')) return undefined;
  return { status: status as SrmStatusCode, explanation: typeof explanation === 'string' ? explanation : status };
}

/**
 * A whole-call failure of the SRM as an error: 401 is Unauthenticated and 503 Unavailable (retried for
 * reads), as with the catalog; any other answer with an SRM body an SrmError; a body that is not the
 * SRM's (a proxy's error page) is judged by its status alone, as the catalog client does.
 */
export function srmErrorFromResponse(status: number, body: unknown, requestId: string | undefined): ReplicatError {
  const failure = srmFailureOf(body);
  if (failure === undefined) return errorFromResponse(status, body, requestId);
  const details: ReplicatErrorDetails = { status, problem: failure, ...(requestId !== undefined ? { requestId } : {}) };
  if (status === 401) return new Unauthenticated(failure.explanation, details);
  if (status === 503) return new Unavailable(failure.explanation, details);
  return new SrmError(failure.explanation, failure.status, details);
}
