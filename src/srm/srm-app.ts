import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Check } from '../rest/validation';
import { createDataRoutes } from './data-routes';
import { CatalogUnavailable, type SrmCaller } from './srm-catalog';
import { srmOperations, srmValidators } from './srm-contract';
import { SRM_HANDLERS, type SrmHandler } from './srm-operations';
import { SrmRequestError, type SrmService } from './srm-service';
import { OutsideArea } from './storage-area';

export interface SrmAppOptions {
  readonly service: SrmService;
  /** Who is calling; throwing refuses the request with 401. The credentials travel on to the catalog. */
  readonly identify: (req: Request) => SrmCaller | Promise<SrmCaller>;
  readonly logger: Logger;
  /** Largest JSON body of an SRM call. */
  readonly maxBodyBytes?: number;
  /**
   * Whether this app also serves the bytes behind TURLs (`/data/...`); false when a storage process of
   * its own does (`replicat srm --no-data`). Default true.
   */
  readonly serveData?: boolean;
}

/** A malformed SRM call: answered 400 SRM_INVALID_REQUEST. */
class BadCall extends Error {}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * The mock SRM's HTTP face: SRM v2.2 operations as JSON under /srm/v2 and the bytes behind TURLs under
 * /data/{se}/{path} (signed; GET with Range, HEAD, PUT; `data-routes.ts`), as openapi/srm.yaml describes them; the operations are
 * routed and their bodies checked from that document. An SRM answer is HTTP 200 with the SRM status inside,
 * as SRM clients expect; only malformed calls, unknown tokens and strangers get HTTP errors.
 */
export function createSrmApp(options: SrmAppOptions): express.Express {
  const { service } = options;
  const app = express();
  app.disable('x-powered-by');
  const json = express.json({ limit: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, type: () => true });

  const call = (handler: SrmHandler, check: Check | undefined) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      const caller = await identify(options, req, res);
      if (caller === undefined) return;
      const body = (req.body ?? {}) as unknown;
      const [issue] = check?.(body) ?? [];
      if (issue !== undefined) throw new BadCall(`the body does not match the SRM contract: ${issue.path} ${issue.message}`);
      res.json(await handler(service, caller, body, req));
    } catch (error) {
      next(error);
    }
  };
  for (const { path, method, operation } of srmOperations()) {
    const handler = SRM_HANDLERS[operation.operationId];
    if (handler === undefined) throw new Error(`no SRM handler for operation ${operation.operationId}`);
    const check = srmValidators().body(operation.operationId);
    app[method](path.replace(/\{([^}]+)\}/g, ':$1'), ...(check !== undefined ? [json] : []), call(handler, check));
  }

  if (options.serveData !== false) {
    app.use(
      createDataRoutes({
        area: (se) => service.area(se),
        signer: service.turlSigner,
        // Here the request state is at hand: a released or aborted request ends its TURLs at once.
        stillGranted: (grant, file) => service.mayAccess(grant.se, file, grant.access, grant.token),
        logger: options.logger,
      }),
    );
  }

  app.use((req: Request, res: Response) => {
    res.status(404).json({ status: 'SRM_INVALID_REQUEST', explanation: `no such operation: ${req.method} ${req.path}` });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.destroy();
    if (error instanceof BadCall) return void res.status(400).json({ status: 'SRM_INVALID_REQUEST', explanation: error.message });
    const unreadable = unreadableBody(error, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    if (unreadable !== undefined) return void res.status(unreadable.status).json({ status: 'SRM_INVALID_REQUEST', explanation: unreadable.explanation });
    if (error instanceof SrmRequestError) {
      return void res.status(error.status === 'SRM_AUTHORIZATION_FAILURE' ? 403 : 404).json({ status: error.status, explanation: error.message });
    }
    if (error instanceof OutsideArea) return void res.status(400).json({ status: 'SRM_INVALID_PATH', explanation: error.message });
    options.logger.error({ err: error }, 'SRM call failed');
    res.status(500).json({ status: 'SRM_INTERNAL_ERROR', explanation: 'internal error' });
  });
  return app;
}

async function identify(options: SrmAppOptions, req: Request, res: Response): Promise<SrmCaller | undefined> {
  try {
    return await options.identify(req);
  } catch (error) {
    if (error instanceof CatalogUnavailable) {
      res.status(503).setHeader('retry-after', '5').json({ status: 'SRM_INTERNAL_ERROR', explanation: `the catalog cannot tell who you are now: ${error.message}` });
    } else res.status(401).json({ status: 'SRM_AUTHORIZATION_FAILURE', explanation: 'authenticate (a bearer token or password of the catalog)' });
    return undefined;
  }
}

/**
 * A body the JSON parser refused (it marks its errors with a `type` and a 4xx status): not JSON, too
 * large, in an unsupported encoding or charset. Undefined for any other error.
 */
function unreadableBody(error: unknown, limit: number): { status: number; explanation: string } | undefined {
  const { type, status } = (typeof error === 'object' && error !== null ? error : {}) as { type?: unknown; status?: unknown };
  if (typeof type !== 'string' || typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (type === 'entity.parse.failed') return { status: 400, explanation: 'the body is not valid JSON' };
  if (type === 'entity.too.large') return { status: 413, explanation: `the body is larger than the ${limit} bytes an SRM call may have` };
  return { status, explanation: `the body cannot be read: ${error instanceof Error ? error.message : type}` };
}
