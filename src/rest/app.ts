import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { challenges, describeMethods, NotAuthenticated } from '../auth/not-authenticated';
import type { AuditSink, Identity } from '../core/context';
import type { FaceOptions } from '../face-options';
import { routedContext } from '../routed-context';
import { CatalogError, TooManyRequests } from '../core/errors';
import type { DatabaseHandle } from '../db/database-handle';
import { toCatalogError } from '../db/db-errors';
import { renderDocsPage, renderErrorsPage } from '../ops/docs-page';
import { ServiceMetrics } from '../ops/metrics';
import { markStreamedBody } from '../ops/request-deadlines';
import { noteIdentity, noteOperation, noteResults, observeRequests, requestIdOf } from '../ops/request-observer';
import { createSoapRouter, SOAP_PORTS } from '../soap/soap-router';
import { listOperations, openApiDocument } from './openapi-document';
import { REST_HANDLERS, REST_STREAM_HANDLERS } from './operations';
import { sendProblem, toProblem } from './problem';
import type { StreamHandler } from './ndjson-bulk';
import { ContractValidators, type Check } from './validation';
import { ExactRoutes } from './exact-routes';
import { READ_OPERATIONS } from './read-operations';
import { BodyError, closeUnreadBodies, jsonBody } from './json-body';

export interface RestAppOptions extends FaceOptions {
  /** The instance's metrics; a fresh registry when absent (tests). */
  readonly metrics?: ServiceMetrics;
  /** True once the service has been told to stop: /readyz answers 503 while requests drain. */
  readonly draining?: () => boolean;
  /** How long /readyz waits for the database before calling it unavailable (default 3 s). */
  readonly readyTimeoutMs?: number;
}

/** Endpoints of the OpenAPI document served outside the /api/v1 router (no authentication). */
const SERVICE_OPERATIONS = new Set(['health', 'ready', 'openapiDocument', 'metrics', 'apiDocs']);

/** Every audit record is also counted in /metrics. */
function countingAudits(sink: AuditSink | undefined, metrics: ServiceMetrics): AuditSink | undefined {
  if (sink === undefined) return undefined;
  return (event) => {
    metrics.audited(event.action);
    sink(event);
  };
}

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

  const metrics = options.metrics ?? new ServiceMetrics({ database: options.database });
  const audit = countingAudits(options.audit, metrics);
  const face: FaceOptions = { ...options, ...(audit ? { audit } : {}) };
  app.use(observeRequests({ logger: options.logger, metrics, ...(audit ? { audit } : {}) }));
  app.use(closeUnreadBodies);

  const readJson = jsonBody(options.limits.maxBodyBytes);

  app.get('/healthz', (_req, res) => {
    noteOperation(res, 'health');
    res.json({ status: 'up' });
  });
  app.get('/readyz', async (_req, res) => {
    noteOperation(res, 'ready');
    // A draining instance says so first, so that a load balancer stops sending before it goes away.
    if (options.draining?.() === true) return sendProblem(res, toProblem('Unavailable', 'the service is shutting down'));
    let primaryUp = true;
    try {
      await withTimeout(options.database.ping(), options.readyTimeoutMs ?? 3000);
    } catch {
      primaryUp = false;
    }
    metrics.databaseChecked(primaryUp);
    const distribution = readyDistribution(options.database);
    if (primaryUp) return res.json({ status: 'ready', database: options.database.dialect, ...distribution });
    // Without a primary the replicas still serve reads: ready for them, and writes answer 503 until a failover.
    if (distribution?.replicas.some((r) => r.state === 'up' || r.state === 'lagging') === true) {
      return res.json({ status: 'degraded', database: options.database.dialect, ...distribution });
    }
    const why = distribution?.primary.reason;
    sendProblem(res, Object.assign(toProblem('Unavailable', why === undefined ? 'the database does not answer' : `the database does not answer: ${why}`), distribution ?? {}));
  });
  app.get('/metrics', async (_req, res) => {
    noteOperation(res, 'metrics');
    res.type(metrics.contentType).send(await metrics.render());
  });
  const docsPage = renderDocsPage(doc, SOAP_PORTS.map((port) => ({ name: port.name, operations: port.operations.map((o) => o.name) })));
  const errorsPage = renderErrorsPage();
  // The front door points at the docs (a later console takes /ui/).
  app.get('/', (_req, res) => {
    noteOperation(res, 'docs');
    res.redirect(302, '/docs');
  });
  app.get('/docs', (_req, res) => {
    noteOperation(res, 'docs');
    res.type('text/html; charset=utf-8').send(docsPage);
  });
  app.get('/docs/errors', (_req, res) => {
    noteOperation(res, 'docs');
    res.type('text/html; charset=utf-8').send(errorsPage);
  });
  app.get('/openapi.json', (_req, res) => {
    noteOperation(res, 'openapiDocument');
    res.json(doc);
  });
  // The SOAP face (Fireman-compatible) over the same core: /soap/FiremanCatalog, /soap/StorageIndex.
  app.use('/soap', createSoapRouter(face));

  const restFace = { limits: options.limits };
  // The API's routes without parameters, reached without walking the router's stack of API routes
  // (they stay registered with express below, for every request that does not match one exactly).
  const exactRoutes = new ExactRoutes();
  app.use(exactRoutes.middleware);
  const knownPaths = new Map<string, string[]>();
  const operations = listOperations(doc);
  for (const name of READ_OPERATIONS) {
    if (!operations.some((o) => o.operation.operationId === name)) throw new Error(`read-operations.ts names ${name}, which the OpenAPI document does not have`);
  }
  for (const { path, method, operation } of operations) {
    const handler = REST_HANDLERS[operation.operationId];
    if (SERVICE_OPERATIONS.has(operation.operationId)) continue;
    if (handler === undefined) throw new Error(`no REST handler for operation ${operation.operationId}`);
    const route = path.replace(/\{([^}]+)\}/g, ':$1');
    knownPaths.set(route, [...(knownPaths.get(route) ?? []), method.toUpperCase()]);
    const checkBody = operation['x-replicat-streamed-body'] === true ? undefined : validators.body(operation.operationId);
    const checkQuery = validators.query(operation.operationId);
    const middlewares = checkBody ? [requireJson, readJson] : [];
    // Who is calling is settled before anything of the request is read, so strangers cannot make the
    // service parse 32 MB bodies.
    const authenticate = async (req: Request, res: Response, next: NextFunction) => {
      noteOperation(res, operation.operationId);
      try {
        const identity = await options.identify(req);
        res.locals.identity = identity;
        noteIdentity(res, identity);
      } catch (error) {
        return failRequest(res, error, options.logger);
      }
      next();
    };
    const access = READ_OPERATIONS.has(operation.operationId) ? 'read' : 'write';
    const streamed = REST_STREAM_HANDLERS[operation.operationId];
    const ndjsonBody = streamed ? [streamNdjson(options, face, access, streamed.handle, validators.schema(streamed.itemSchema))] : [];
    const answer = async (req: Request, res: Response) => {
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
        const ctx = await routedContext(face, access, res.locals.identity as Identity, req, res, requestIdOf(res));
        const body = await REST_HANDLERS[operation.operationId]!(ctx, req, res, restFace);
        noteResults(res, body);
        if (body !== undefined && !res.headersSent) res.json(body);
      } catch (error) {
        failRequest(res, error, options.logger);
      }
    };
    const handlers = [authenticate, ...ndjsonBody, ...middlewares, answer];
    app[method](route, ...handlers);
    exactRoutes.add(method, route, handlers);
  }

  app.use((req, res) => {
    if (req.path.startsWith('/api/')) noteOperation(res, 'unknown');
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
function streamNdjson(options: RestAppOptions, face: FaceOptions, access: 'read' | 'write', handle: StreamHandler, checkItem: Check) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!/^application\/x-ndjson\s*(;|$)/i.test(req.get('content-type') ?? '')) return next();
    const encoding = (req.get('content-encoding') ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      return sendProblem(res, toProblem('InvalidArgument', 'NDJSON bodies are read as sent: no content-encoding', { status: 415 }));
    }
    markStreamedBody(req);
    try {
      await handle(await routedContext(face, access, res.locals.identity as Identity, req, res, requestIdOf(res)), req, res, checkItem);
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
  if (error instanceof BodyError) {
    if (error.status === 413) return sendProblem(res, toProblem('LimitExceeded', error.message));
    return sendProblem(res, toProblem('InvalidArgument', error.message, { status: error.status }));
  }
  // Any other client error the router raised (a path parameter that is not valid percent-encoding) is the client's.
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return sendProblem(res, toProblem('InvalidArgument', 'the request could not be read (malformed path or parameters)'));
  }
  const catalogError: CatalogError = toCatalogError(error);
  if (catalogError instanceof TooManyRequests) res.setHeader('retry-after', String(catalogError.retryAfterSeconds));
  if (catalogError.code === 'Internal' || catalogError.code === 'Unavailable') {
    logger.error({ err: error, requestId: requestIdOf(res) }, catalogError.message);
  } else if (catalogError.code === 'DeadlineExceeded') {
    // Which request asked for so much is worth finding: a slow query, or someone probing.
    logger.warn({ err: error, requestId: requestIdOf(res), url: res.req.originalUrl }, catalogError.message);
  }
  sendProblem(res, toProblem(catalogError.code, catalogError.code === 'Internal' ? 'internal error' : catalogError.message));
}

/** The primary and each replica as /readyz shows them; undefined for an engine without replicas. */
function readyDistribution(database: DatabaseHandle) {
  const state = database.routing?.describe();
  if (state === undefined) return undefined;
  const { server, state: primaryState, reason } = state.primary;
  return {
    primary: { server, state: primaryState, ...(reason !== undefined ? { reason } : {}) },
    replicas: state.replicas.map(({ server, state, lagMs, replayed, reason }) => ({
      server,
      state,
      ...(lagMs !== undefined ? { lagMs } : {}),
      ...(replayed !== undefined ? { replayed } : {}),
      ...(reason !== undefined ? { reason } : {}),
    })),
  };
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
