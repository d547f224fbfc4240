import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { FileExists, OutsideArea, type StorageArea } from './storage-area';
import { canonicalSePath, type TurlAccess, type TurlGrant, type TurlSigner } from './turl-signer';

export interface DataRoutesOptions {
  /** The storage area of each SE whose bytes are served here; undefined for any other SE. */
  readonly area: (se: string) => StorageArea | undefined;
  /** Checks the TURL's signature and expiry: the same secret as the SRM that signed it. */
  readonly signer: TurlSigner;
  /**
   * In the SRM's own process: whether the request behind a TURL still allows the access (a released get,
   * an aborted or finished put do not). A storage process has no such state and leaves this out: there a
   * TURL is good until it expires.
   */
  readonly stillGranted?: (grant: TurlGrant, file: string) => boolean;
  readonly logger: Logger;
}

/**
 * The bytes behind TURLs: `GET` (one byte range, 206/416), `HEAD` and `PUT` on `/data/{se}/{path}`, in the
 * SRM's process or in a storage process of their own (`replicat storage`). Every request must carry a TURL's
 * signature (`TurlSigner`), checked before the file system is touched; a refusal is 403
 * `SRM_AUTHORIZATION_FAILURE`. Paths are confined to the SE's directory (`StorageArea`).
 */
export function createDataRoutes(options: DataRoutesOptions): express.Router {
  const router = express.Router();
  router.get('/data/:se/*path', (req, res, next) => serveBytes(options, req, res).catch(next));
  router.put('/data/:se/*path', (req, res, next) => receiveBytes(options, req, res).catch(next));
  router.use('/data', (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.destroy();
    if (error instanceof OutsideArea) return void res.status(400).json({ status: 'SRM_INVALID_PATH', explanation: error.message });
    if (error instanceof FileExists) return void res.status(409).json({ status: 'SRM_DUPLICATION_ERROR', explanation: error.message });
    if ((error as { code?: unknown }).code === 'ECONNRESET' || (error as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE') {
      return void res.destroy(); // the client went away mid-upload; the partial file is gone already
    }
    options.logger.error({ err: error }, 'data transfer failed');
    res.status(500).json({ status: 'SRM_INTERNAL_ERROR', explanation: 'internal error' });
  });
  return router;
}

interface Target {
  readonly area: StorageArea;
  readonly file: string;
}

/** The signed TURL's file, or undefined when the answer (403, 404) has been sent. */
function authorize(options: DataRoutesOptions, req: Request, res: Response, access: TurlAccess): Target | undefined {
  const se = String(req.params.se);
  const segments = (req.params as { path?: string[] }).path ?? [];
  const path = canonicalSePath(segments.join('/'));
  const check = options.signer.check({ access, se, path, query: req.query });
  if (!check.ok) return void res.status(403).json({ status: 'SRM_AUTHORIZATION_FAILURE', explanation: check.reason });
  const area = options.area(se);
  if (area === undefined) return void res.status(404).json({ status: 'SRM_INVALID_PATH', explanation: `storage element ${se} is not served here` });
  const file = area.locate(path);
  if (options.stillGranted !== undefined && !options.stillGranted(check.grant, file)) {
    const explanation = access === 'read' ? 'the get is no longer pinned (released, aborted or expired)' : 'the put no longer takes bytes (done, aborted or expired)';
    return void res.status(403).json({ status: 'SRM_AUTHORIZATION_FAILURE', explanation });
  }
  return { area, file };
}

async function serveBytes(options: DataRoutesOptions, req: Request, res: Response): Promise<void> {
  const target = authorize(options, req, res, 'read');
  if (target === undefined) return;
  const size = await target.area.size(target.file);
  if (size === undefined) return void res.status(404).json({ status: 'SRM_INVALID_PATH', explanation: 'no such file' });
  res.setHeader('accept-ranges', 'bytes');
  res.type('application/octet-stream');
  const range = parseRange(req.get('range'), size);
  if (range === 'unsatisfiable') {
    res.setHeader('content-range', `bytes */${size}`);
    return void res.status(416).end();
  }
  if (range !== undefined) {
    res.status(206).setHeader('content-range', `bytes ${range.start}-${range.end}/${size}`);
    res.setHeader('content-length', String(range.end - range.start + 1));
  } else res.setHeader('content-length', String(size));
  if (req.method === 'HEAD' || size === 0) return void res.end();
  const stream = await target.area.read(target.file, range);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

async function receiveBytes(options: DataRoutesOptions, req: Request, res: Response): Promise<void> {
  const target = authorize(options, req, res, 'write');
  if (target === undefined) return;
  const bytes = await target.area.write(target.file, req);
  res.status(201).json({ status: 'SRM_SUCCESS', size: bytes });
}

/**
 * One byte range (`bytes=0-99`, `bytes=100-`, `bytes=-100`), clipped to the file; several ranges, or a
 * header that is not a byte range, are ignored as RFC 9110 allows (the whole file is sent).
 */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, from, to] = match;
  if (from === '' && to === '') return undefined;
  let start: number;
  let end: number;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
    if (end < start) return to === '' || Number(to) >= start ? 'unsatisfiable' : undefined;
  }
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
