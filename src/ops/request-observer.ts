import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { AuditSink, Identity } from '../core/context';
import type { ErrorCode } from '../core/errors';
import type { Face, ServiceMetrics } from './metrics';

// Echoed into headers, logs and problem bodies: only a short run of harmless characters is taken.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * What the faces learn about a request while serving it, read once when the answer is done: the
 * request log line, the metrics and the audit record of a refusal all come from this one record.
 */
interface RequestRecord {
  readonly id: string;
  readonly face: Face;
  operation: string;
  items?: number;
  itemErrors?: Map<ErrorCode, number>;
  failure?: ErrorCode;
  /** The first refusal's message (a whole-request 401/403, or the first PermissionDenied item). */
  refusal?: string;
  actor?: string;
}

const RECORD = Symbol('replicat.request');

function recordOf(res: Response): RequestRecord | undefined {
  return (res.locals as { [RECORD]?: RequestRecord })[RECORD];
}

/** The request id of a request: the caller's `x-request-id` when sane, else one made up here. */
export function requestIdOf(res: Response): string | undefined {
  return recordOf(res)?.id;
}

/** Names the operation being served (an operationId, `Port.operation`, or an endpoint). */
export function noteOperation(res: Response, operation: string): void {
  const record = recordOf(res);
  if (record) record.operation = operation;
}

export function noteIdentity(res: Response, identity: Identity): void {
  const record = recordOf(res);
  if (record) record.actor = identity.dn;
}

export function noteItems(res: Response, items: number): void {
  const record = recordOf(res);
  if (record) record.items = items;
}

/** Counts the failed items of a bulk answer (`{results: [{ok, error: {code, message}}]}`), by code. */
export function noteResults(res: Response, body: unknown): void {
  const record = recordOf(res);
  const results = typeof body === 'object' && body !== null ? (body as { results?: unknown }).results : undefined;
  if (record === undefined || !Array.isArray(results)) return;
  record.items ??= results.length;
  for (const result of results as { ok?: boolean; error?: { code?: ErrorCode; message?: string } }[]) {
    if (result.ok !== false || result.error?.code === undefined) continue;
    const code = result.error.code;
    record.itemErrors ??= new Map();
    record.itemErrors.set(code, (record.itemErrors.get(code) ?? 0) + 1);
    if (code === 'PermissionDenied') record.refusal ??= result.error.message;
  }
}

/** A whole-request failure: the problem+json code, or the code behind a SOAP fault. */
export function noteFailure(res: Response, code: ErrorCode, message: string): void {
  const record = recordOf(res);
  if (record === undefined) return;
  record.failure = code;
  if (code === 'PermissionDenied' || code === 'TooManyRequests') record.refusal ??= message;
}

export interface RequestObserverOptions {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly audit?: AuditSink;
}

/**
 * The first middleware of the app: gives each request its id (in `x-request-id`, the logs, problem
 * bodies and SOAP faults), and when the answer is done writes the request log line, the metrics, and
 * an audit record when something was refused (401, 403, or PermissionDenied items).
 */
export function observeRequests(options: RequestObserverOptions) {
  const { logger, metrics } = options;
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.get('x-request-id');
    const id = given !== undefined && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    const face: Face = req.path.startsWith('/api/') ? 'rest' : req.path.startsWith('/soap/') ? 'soap' : 'ops';
    const record: RequestRecord = { id, face, operation: 'unknown' };
    (res.locals as { [RECORD]?: RequestRecord })[RECORD] = record;
    res.setHeader('x-request-id', id);
    const started = process.hrtime.bigint();
    metrics.requestStarted(face);
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // A response cut short (client gone, stream failed after the headers) has no meaningful status.
      const status = res.writableFinished ? res.statusCode : 'aborted';
      metrics.observeRequest({
        face,
        operation: record.operation,
        status,
        seconds,
        ...(record.items !== undefined ? { items: record.items } : {}),
        ...(record.itemErrors !== undefined ? { itemErrors: record.itemErrors } : {}),
        ...(record.failure !== undefined ? { failure: record.failure } : {}),
      });
      // Probes and scrapes arrive every few seconds; they are worth a line only when they fail.
      const quiet = face === 'ops' && typeof status === 'number' && status < 500;
      // At a level that drops the line, it is not built (a single-item request pays for every field).
      if (logger.isLevelEnabled(quiet ? 'debug' : 'info')) logRequest(logger, req, record, status, seconds, quiet);
      if (record.refusal !== undefined || status === 401) {
        options.audit?.({
          action: status === 401 ? 'refused:authentication' : status === 429 ? 'refused:throttled' : 'refused:authorization',
          actor: record.actor ?? 'unauthenticated',
          requestId: id,
          detail: `${face} ${record.operation} from ${req.socket.remoteAddress ?? '?'}: ${record.refusal ?? 'no credentials'}`,
        });
      }
    });
    next();
  };
}

/** The request log line, one per request (debug for probes and scrapes that went well). */
function logRequest(logger: Logger, req: Request, record: RequestRecord, status: number | 'aborted', seconds: number, quiet: boolean): void {
  const failedItems = record.itemErrors === undefined ? undefined : [...record.itemErrors.values()].reduce((a, b) => a + b, 0);
  const line = {
    requestId: record.id,
    face: record.face,
    operation: record.operation,
    method: req.method,
    url: req.originalUrl.slice(0, 512),
    status,
    ms: Math.round(seconds * 1e6) / 1e3,
    ...(record.actor !== undefined ? { user: record.actor } : {}),
    ...(record.items !== undefined ? { items: record.items } : {}),
    ...(failedItems !== undefined ? { failedItems } : {}),
    ...(record.failure !== undefined ? { code: record.failure } : {}),
  };
  if (quiet) logger.debug(line, 'request');
  else logger.info(line, 'request');
}
