import type { components, paths } from '../generated/srm';

/**
 * Names for the mock SRM contract's types, all derived from the generated `paths` and `components` of
 * openapi/srm.yaml, so that nothing here restates it.
 */
type SrmSchemas = components['schemas'];

/** SRM v2.2 status codes (TStatusCode), per file and per request. */
export type SrmStatusCode = SrmSchemas['SrmStatusCode'];
/** One file of an SRM answer: its SURL, status, and as the status has them a TURL, size, checksum, lifetimes. */
export type SrmFileStatus = SrmSchemas['FileStatus'];
/** A get or put request: its token, kind, request-level status and files in request order. */
export type SrmRequestStatus = SrmSchemas['RequestStatus'];
/** What ls and rm answer: the files' statuses and the status they add up to. */
export type SrmFileStatuses = SrmSchemas['FileStatuses'];
export type SrmPing = SrmSchemas['Ping'];
/** The body of a call the SRM refused as a whole. */
export type SrmFailure = SrmSchemas['Failure'];
/** A file to put: the SURL to write and the LFN its file gets in the catalog. */
export type SrmPutFile = SrmSchemas['PutFile'];
export type SrmPrepareToGetRequest = SrmSchemas['PrepareToGetRequest'];
export type SrmPrepareToPutRequest = SrmSchemas['PrepareToPutRequest'];
export type SrmTokenSurlsRequest = SrmSchemas['TokenSurlsRequest'];
export type SrmUploaded = SrmSchemas['Uploaded'];
export type SrmPaths = paths;
