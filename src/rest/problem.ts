import type { Response } from 'express';
import { CatalogError, type ErrorCode } from '../core/errors';
import { noteFailure, requestIdOf } from '../ops/request-observer';

/** The one place catalog errors become HTTP statuses. */
export const STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  NotExists: 404,
  Exists: 409,
  PermissionDenied: 403,
  InvalidArgument: 400,
  NotEmpty: 409,
  NotADirectory: 409,
  IsADirectory: 409,
  Loop: 409,
  Conflict: 409,
  LimitExceeded: 413,
  DeadlineExceeded: 504,
  TooManyRequests: 429,
  Unavailable: 503,
  Internal: 500,
};

const TITLES: Readonly<Record<ErrorCode, string>> = {
  NotExists: 'No such entry',
  Exists: 'Already exists',
  PermissionDenied: 'Permission denied',
  InvalidArgument: 'Invalid request',
  NotEmpty: 'Directory not empty',
  NotADirectory: 'Not a directory',
  IsADirectory: 'Is a directory',
  Loop: 'Too many levels of symbolic links',
  Conflict: 'Conflict',
  LimitExceeded: 'Request too large',
  DeadlineExceeded: 'Statement deadline exceeded',
  TooManyRequests: 'Too many requests',
  Unavailable: 'Service unavailable',
  Internal: 'Internal error',
};

export interface ProblemExtras {
  readonly status?: number;
  readonly errors?: readonly { path: string; message: string }[];
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode;
  readonly instance?: string;
  readonly requestId?: string;
  readonly errors?: readonly { path: string; message: string }[];
  /** On 401: the ways this service accepts to authenticate (x509, basic, bearer). */
  readonly methods?: readonly string[];
}

export function toProblem(code: ErrorCode, detail: string, extras: ProblemExtras = {}): Problem {
  return {
    type: `/docs/errors#${code}`,
    title: TITLES[code],
    status: extras.status ?? STATUS_OF[code],
    detail,
    code,
    ...(extras.errors ? { errors: extras.errors } : {}),
  };
}

export function sendProblem(res: Response, problem: Problem): void {
  noteFailure(res, problem.code, problem.detail);
  const requestId = requestIdOf(res);
  // The database is down or failing over: a client that waits a second finds it back or a new primary.
  if (problem.status === 503 && !res.hasHeader('retry-after')) res.setHeader('retry-after', '1');
  // Refused before its body arrived in full: the rest is not read (see closeUnreadBodies), and the client is told.
  if (!res.req.complete) res.setHeader('connection', 'close');
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        ...problem,
        instance: res.req.originalUrl,
        ...(typeof requestId === 'string' ? { requestId } : {}),
      }),
    );
}

/** An item's error as it appears in a bulk result. Internal details never leave the service. */
export function toItemError(error: CatalogError): { code: ErrorCode; message: string } {
  return { code: error.code, message: error.code === 'Internal' ? 'internal error' : error.message };
}
