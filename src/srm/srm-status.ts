import type { SrmStatusCode } from '@replicat/sdk';

/**
 * SRM v2.2 status codes (TStatusCode of the SRM v2.2 specification, OGF GFD.129), the subset the mock SRM
 * answers, per file and per request: `SrmStatusCode` of openapi/srm.yaml.
 */
export type { SrmStatusCode };

/** A file's status that will not change any more by itself or by the client. */
export function isFinal(code: SrmStatusCode): boolean {
  return !['SRM_REQUEST_QUEUED', 'SRM_REQUEST_INPROGRESS', 'SRM_FILE_PINNED', 'SRM_SPACE_AVAILABLE'].includes(code);
}

const SUCCESSES: readonly SrmStatusCode[] = ['SRM_SUCCESS', 'SRM_FILE_PINNED', 'SRM_SPACE_AVAILABLE', 'SRM_RELEASED'];

/**
 * A request's status from its files': queued while every file waits, in progress while any does, then
 * success, failure or partial success by how the files ended (SRM v2.2 §5.1: the request-level code
 * summarizes the file-level ones). A ready file (pinned, space available) counts as a success.
 */
export function requestStatus(files: readonly SrmStatusCode[], aborted: boolean): SrmStatusCode {
  if (aborted) return 'SRM_ABORTED';
  if (files.length > 0 && files.every((f) => f === 'SRM_REQUEST_QUEUED')) return 'SRM_REQUEST_QUEUED';
  if (files.some((f) => f === 'SRM_REQUEST_QUEUED' || f === 'SRM_REQUEST_INPROGRESS')) return 'SRM_REQUEST_INPROGRESS';
  const good = files.filter((f) => SUCCESSES.includes(f)).length;
  if (good === files.length) return 'SRM_SUCCESS';
  return good === 0 ? 'SRM_FAILURE' : 'SRM_PARTIAL_SUCCESS';
}
