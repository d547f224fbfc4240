import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { challenges, describeMethods, NotAuthenticated } from '../auth/not-authenticated';
import type { Identity } from '../core/context';
import { catalogContext, type FaceOptions } from '../face-options';
import { CatalogError } from '../core/errors';
import type { DatabaseHandle } from '../db/database-handle';
import { toCatalogError } from '../db/db-errors';
import { createSoapRouter } from '../soap/soap-router';
import { listOperations, openApiDocument } from './openapi-document';
import { REST_HANDLERS, REST_STREAM_HANDLERS } from './operations';
import { sendProblem, toProblem } from './problem';
import type { StreamHandler } from './ndjson-bulk';
import { ContractValidators, type Check } from './validation';

export type RestAppOptions = FaceOptions;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The REST face: routes come from the OpenAPI document (one per operationId), each request is checked
 * against the same document, then handed to core. This file holds no catalog rule.
 */
export function createRestApp(options: RestAppOptions): express.Express {
  const doc = openApiDocument();
  const validators = new ContractValidators(doc);
  const app = express();
  app.disable('x-powered-by');
  // No ETags: every answer is computed fresh, and hashing a 2 MB bulk answer costs more than sending it.
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const given = req.get('x-request-id');
    res.setHeader('x-request-id', given !== undefined && REQUEST_ID.test(given) ? given : randomUUID());
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      options.logger.info(
        {
          requestId: res.getHeader('x-request-id'),
          method: req.method,
          url: req.originalUrl.slice(0, 512),
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  });

  const jsonBody = express.json({ limit: options.limits.maxBodyBytes, strict: true, type: () => true });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'up' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await withTimeout(options.database.ping(), 3000);
      res.json({ status: 'ready', database: options.database.dialect });
    } catch {
      sendProblem(res, toProblem('Unavailable', 'the database does not answer'));
    }
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  // The SOAP face (Fireman-compatible) over the same core: /soap/FiremanCatalog, /soap/StorageIndex.
  app.use('/soap', createSoapRouter(options));

  const face = { limits: options.limits };
  const knownPaths = new Map<string, string[]>();
  for (const { path, method, operation } of listOperations(doc)) {
    const handler = REST_HANDLERS[operation.operationId];
    if (['health', 'ready', 'openapiDocument'].includes(operation.operationId)) continue;
    if (handler === undefined) throw new Error(`no REST handler for operation ${operation.operationId}`);
    const route = path.replace(/\{([^}]+)\}/g, ':$1');
    knownPaths.set(route, [...(knownPaths.get(route) ?? []), method.toUpperCase()]);
    const checkBody = operation['x-replicat-streamed-body'] === true ? undefined : validators.body(operation.operationId);
    const checkQuery = validators.query(operation.operationId);
    const middlewares = checkBody ? [requireJson, jsonBody] : [];
    // Who is calling is settled before anything of the request is read, so strangers cannot make the
    // service parse 32 MB bodies.
    const authenticate = async (req: Request, res: Response, next: NextFunction) => {
      try {
        res.locals.identity = await options.identify(req);
      } catch (error) {
        return failRequest(res, error, options.logger);
      }
      next();
    };
    const streamed = REST_STREAM_HANDLERS[operation.operationId];
    const ndjsonBody = streamed ? [streamNdjson(options, streamed.handle, validators.schema(streamed.itemSchema))] : [];
    app[method](route, authenticate, ...ndjsonBody, ...middlewares, async (req: Request, res: Response) => {
      try {
        if (checkQuery) {
          const query = { ...(req.query as Record<string, unknown>) };
          const issues = checkQuery(query);
          if (issues.length > 0) return sendInvalid(res, 'invalid query parameters', issues);
          Object.defineProperty(req, 'query', { value: query });
        }
        if (checkBody) {
          const items = (req.body as { items?: unknown } | null)?.items;
          if (Array.isArray(items) && items.length > options.limits.maxItems) {
            return sendProblem(
              res,
              toProblem('LimitExceeded', `too many items: ${items.length} (the limit is ${options.limits.maxItems} per request)`),
            );
          }
          const issues = checkBody(req.body);
          if (issues.length > 0) return sendInvalid(res, 'the request body does not match the API', issues);
        }
        const ctx = catalogContext(options, res.locals.identity as Identity);
        const body = await REST_HANDLERS[operation.operationId]!(ctx, req, res, face);
        if (body !== undefined && !res.headersSent) res.json(body);
      } catch (error) {
        failRequest(res, error, options.logger);
      }
    });
  }

  app.use((req, res) => {
    const allowed = knownPaths.get(req.path);
    if (allowed) {
      res.setHeader('allow', allowed.join(', '));
      return sendProblem(res, toProblem('InvalidArgument', `${req.method} is not allowed here; use ${allowed.join(' or ')}`, { status: 405 }));
    }
    sendProblem(res, toProblem('NotExists', `no such route: ${req.method} ${req.path}`));
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    failRequest(res, error, options.logger);
  });
  return app;
}

/** NDJSON bodies go to the operation's streaming handler; anything else on to the JSON route. */
function streamNdjson(options: RestAppOptions, handle: StreamHandler, checkItem: Check) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!/^application\/x-ndjson\s*(;|$)/i.test(req.get('content-type') ?? '')) return next();
    const encoding = (req.get('content-encoding') ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      return sendProblem(res, toProblem('InvalidArgument', 'NDJSON bodies are read as sent: no content-encoding', { status: 415 }));
    }
    try {
      await handle(catalogContext(options, res.locals.identity as Identity), req, res, checkItem);
    } catch (error) {
      failRequest(res, error, options.logger);
    }
  };
}

function requireJson(req: Request, res: Response, next: NextFunction): void {
  const type = req.get('content-type') ?? '';
  if (!/^application\/([a-z.+-]*\+)?json\s*(;|$)/i.test(type)) {
    return sendProblem(res, toProblem('InvalidArgument', 'the body must be application/json', { status: 415 }));
  }
  next();
}

function sendInvalid(res: Response, detail: string, issues: readonly { path: string; message: string }[]): void {
  const first = issues[0];
  sendProblem(res, toProblem('InvalidArgument', first ? `${detail}: ${first.path} ${first.message}` : detail, { errors: issues }));
}

/** Body-parser errors carry a `type` and a status; everything else goes through the catalog's errors. */
function failRequest(res: Response, error: unknown, logger: Logger): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof NotAuthenticated) {
    const header = challenges(error.methods);
    if (header !== '') res.setHeader('www-authenticate', header);
    return sendProblem(res, {
      ...toProblem(error.code, `${error.message}; authenticate with ${describeMethods(error.methods)}`, { status: error.status }),
      title: 'Authentication required',
      methods: error.methods,
    });
  }
  const parserType = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
  switch (parserType) {
    case 'entity.too.large':
      return sendProblem(res, toProblem('LimitExceeded', 'the request body is too large'));
    case 'entity.parse.failed':
      return sendProblem(res, toProblem('InvalidArgument', 'the request body is not valid JSON'));
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return sendProblem(res, toProblem('InvalidArgument', 'unsupported body encoding or charset', { status: 415 }));
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return sendProblem(res, toProblem('InvalidArgument', 'the request body could not be read'));
  }
  // Any other client error the body reader raised (a corrupt gzip body, say) is the client's, not ours.
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return sendProblem(res, toProblem('InvalidArgument', 'the request body could not be read'));
  }
  const catalogError: CatalogError = toCatalogError(error);
  if (catalogError.code === 'Internal' || catalogError.code === 'Unavailable') {
    logger.error({ err: error, requestId: res.getHeader('x-request-id') }, catalogError.message);
  }
  sendProblem(res, toProblem(catalogError.code, catalogError.code === 'Internal' ? 'internal error' : catalogError.message));
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
