import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { CatalogUnavailable, type SrmCaller } from './srm-catalog';
import { createDataRoutes } from './data-routes';
import { SrmRequestError, type SrmService } from './srm-service';
import { requestStatus, type SrmStatusCode } from './srm-status';
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

/**
 * The mock SRM's HTTP face: SRM v2.2 operations as JSON under /srm/v2 (paths of API.md, "Mock SRM") and the
 * bytes behind signed TURLs under /data/{se}/{path} (GET with Range, HEAD, PUT; `data-routes.ts`). An SRM answer is HTTP 200 with
 * the SRM status inside, as SRM clients expect; only malformed calls, unknown tokens and strangers get
 * HTTP errors.
 */
export function createSrmApp(options: SrmAppOptions): express.Express {
  const { service } = options;
  const app = express();
  app.disable('x-powered-by');
  const json = express.json({ limit: options.maxBodyBytes ?? 1024 * 1024, type: () => true });

  const call = (handler: (caller: SrmCaller, body: Record<string, unknown>, req: Request) => Promise<unknown> | unknown) =>
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const caller = await identify(options, req, res);
        if (caller === undefined) return;
        const body = (req.body ?? {}) as unknown;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadCall('the body must be a JSON object');
        res.json(await handler(caller, body as Record<string, unknown>, req));
      } catch (error) {
        next(error);
      }
    };

  app.post('/srm/v2/ping', json, call(() => ({ status: 'SRM_SUCCESS', ...service.ping() })));
  app.post('/srm/v2/ls', json, call(async (caller, body) => summarize(await service.ls(caller, strings(body, 'surls')))));
  app.post(
    '/srm/v2/prepare-to-get',
    json,
    call((caller, body) => {
      only(body, ['surls', 'protocols', 'pinLifetimeSeconds']);
      const pin = body.pinLifetimeSeconds;
      if (pin !== undefined && !(Number.isInteger(pin) && (pin as number) > 0)) throw new BadCall('pinLifetimeSeconds must be a positive integer');
      return service.prepareToGet(caller, {
        surls: strings(body, 'surls'),
        ...(body.protocols !== undefined ? { protocols: strings(body, 'protocols') } : {}),
        ...(pin !== undefined ? { pinLifetimeSeconds: pin as number } : {}),
      });
    }),
  );
  app.post(
    '/srm/v2/prepare-to-put',
    json,
    call((caller, body) => {
      only(body, ['files', 'protocols']);
      const files = body.files;
      if (!Array.isArray(files) || files.length === 0 || files.length > 10_000) throw new BadCall('files must be a list of 1 to 10000 {surl, lfn}');
      const parsed = files.map((f: unknown) => {
        const { surl, lfn, ...rest } = (typeof f === 'object' && f !== null ? f : {}) as Record<string, unknown>;
        if (typeof surl !== 'string' || typeof lfn !== 'string' || Object.keys(rest).length > 0) throw new BadCall('each file is {surl, lfn}');
        return { surl, lfn };
      });
      return service.prepareToPut(caller, { files: parsed, ...(body.protocols !== undefined ? { protocols: strings(body, 'protocols') } : {}) });
    }),
  );
  app.post('/srm/v2/put-done', json, call((caller, body) => service.putDone(caller, token(body), optionalStrings(body, 'surls'))));
  app.post('/srm/v2/release', json, call((caller, body) => service.releaseFiles(caller, token(body), optionalStrings(body, 'surls'))));
  app.post('/srm/v2/abort', json, call((caller, body) => (only(body, ['token']), service.abort(caller, token(body)))));
  app.post('/srm/v2/rm', json, call(async (caller, body) => summarize(await service.rm(caller, strings(body, 'surls')))));
  app.get('/srm/v2/requests/:token', call((caller, _body, req) => service.status(caller, String(req.params.token))));

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
    if (error instanceof BadCall || (typeof error === 'object' && error !== null && (error as { type?: unknown }).type === 'entity.parse.failed')) {
      return void res.status(400).json({ status: 'SRM_INVALID_REQUEST', explanation: error instanceof BadCall ? error.message : 'the body is not valid JSON' });
    }
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

/** Files' statuses with the request-level status they add up to. */
function summarize(files: readonly { status: SrmStatusCode }[]): { status: SrmStatusCode; files: readonly unknown[] } {
  return { status: requestStatus(files.map((f) => f.status), false), files };
}

function only(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).find((k) => !allowed.includes(k));
  if (unknown !== undefined) throw new BadCall(`unknown field ${JSON.stringify(unknown)}`);
}

function strings(body: Record<string, unknown>, field: string): string[] {
  const value = body[field];
  if (!Array.isArray(value) || value.length === 0 || value.length > 10_000 || !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 4096)) {
    throw new BadCall(`${field} must be a list of 1 to 10000 non-empty strings`);
  }
  return value as string[];
}

function optionalStrings(body: Record<string, unknown>, field: string): string[] | undefined {
  only(body, ['token', field]);
  return body[field] === undefined ? undefined : strings(body, field);
}

function token(body: Record<string, unknown>): string {
  if (typeof body.token !== 'string' || !/^[0-9a-f]{32}$/.test(body.token)) throw new BadCall('token must be a request token');
  return body.token;
}
