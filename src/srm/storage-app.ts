import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { createDataRoutes } from './data-routes';
import { StorageArea } from './storage-area';
import type { TurlSigner } from './turl-signer';

export interface StorageAppOptions {
  /** SE name → local directory holding its bytes. */
  readonly ses: ReadonlyMap<string, string>;
  /** The secret of the SRM whose TURLs are served here. */
  readonly signer: TurlSigner;
  readonly logger: Logger;
}

/**
 * A storage process's HTTP face (`replicat storage`): only the bytes behind signed TURLs,
 * `GET`/`HEAD`/`PUT /data/{se}/{path}`, for the SEs it has directories for. It shares no state with the
 * SRM: a TURL's signature and expiry are all it checks, so a released or aborted request's TURL works here
 * until it expires, as a presigned URL does.
 */
export function createStorageApp(options: StorageAppOptions): express.Express {
  const areas = new Map([...options.ses].map(([se, directory]) => [se, new StorageArea(directory)]));
  const app = express();
  app.disable('x-powered-by');
  app.use(createDataRoutes({ area: (se) => areas.get(se), signer: options.signer, logger: options.logger }));
  app.use((req: Request, res: Response) => {
    res.status(404).json({ status: 'SRM_INVALID_REQUEST', explanation: `no such operation: ${req.method} ${req.path} (this process serves /data/{se}/{path} only)` });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.destroy();
    options.logger.error({ err: error }, 'storage request failed');
    res.status(500).json({ status: 'SRM_INTERNAL_ERROR', explanation: 'internal error' });
  });
  return app;
}
