import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { challenges, describeMethods, NotAuthenticated } from '../auth/not-authenticated';
import type { CatalogContext, Identity } from '../core/context';
import { DEFAULT_SOAP_MAX_BODY_BYTES, type FaceOptions } from '../face-options';
import { routedContext } from '../routed-context';
import { TooManyRequests, type ErrorCode } from '../core/errors';
import { toCatalogError } from '../db/db-errors';
import { noteFailure, noteIdentity, noteItems, noteOperation, requestIdOf } from '../ops/request-observer';
import { Parts } from './decode-parts';
import { contentType, HeaderNotUnderstood, openEnvelope, rpcResponse, type SoapVersion } from './envelope';
import { faultEnvelope, faultNameFor, mustUnderstandFault, type SoapFault } from './faults';
import type { OperationDefinition, PortDefinition, ServiceInfo } from './operation';
import { FIREMAN_CATALOG } from './ports/fireman-catalog';
import { METADATA_CATALOG } from './ports/metadata-catalog';
import { STORAGE_INDEX } from './ports/storage-index';
import { SOAP_READ_OPERATIONS } from './read-operations';
import { readServiceInfo } from './service-info';
import { wsdlDocument } from './wsdl-document';
import { DEFAULT_XML_LIMITS, readXml, XmlRefused, type XmlElement, type XmlReaderLimits } from './xml-reader';

/** The ports served, each at `/soap/<name>` with its WSDL at `?wsdl`. */
export const SOAP_PORTS: readonly PortDefinition[] = [FIREMAN_CATALOG, STORAGE_INDEX, METADATA_CATALOG];

export interface SoapRouterOptions extends FaceOptions {
  readonly xmlLimits?: XmlReaderLimits;
}

// A Host header is echoed into the WSDL's address: only host[:port] characters get through.
const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/;
const WANTS_WSDL = /[?&]wsdl(=[^&]*)?(&|$)/i;

/**
 * The SOAP face: decodes an rpc/literal envelope, calls core, encodes the answer or a Fireman fault.
 * Mount it at `/soap`:
 *
 * ```ts
 * app.use('/soap', createSoapRouter({ database, limits, identify, logger }));
 * ```
 */
export function createSoapRouter(options: SoapRouterOptions): express.Router {
  const router = express.Router();
  const service = readServiceInfo();
  const xmlLimits = options.xmlLimits ?? DEFAULT_XML_LIMITS;
  const maxBodyBytes = options.limits.maxSoapBodyBytes ?? DEFAULT_SOAP_MAX_BODY_BYTES;
  const readBody = express.raw({ limit: maxBodyBytes, type: () => true });

  for (const port of SOAP_PORTS) {
    const operations = new Map(port.operations.map((op) => [op.name, op]));
    const path = `/${port.name}`;

    router.get(path, (req, res) => {
      noteOperation(res, `${port.name}.wsdl`);
      if (!WANTS_WSDL.test(req.originalUrl)) {
        res.type('text/plain').send(`${port.name} SOAP endpoint (rpc/literal, SOAP 1.1 and 1.2); its WSDL is at ?wsdl\n`);
        return;
      }
      const host = req.get('host');
      const address = `${req.protocol}://${host !== undefined && HOST.test(host) ? host : 'localhost'}${req.baseUrl}${path}`;
      res.type('text/xml; charset=utf-8').send(wsdlDocument(port, address));
    });

    router.post(path, (_req: Request, res: Response, next: NextFunction) => (noteOperation(res, `${port.name}.unknown`), next()));
    router.post(path, refuseDeclaredOversize(maxBodyBytes), authenticate, readBody, async (req: Request, res: Response) => {
      let version = versionOf(req);
      try {
        const xml = decodeBody(req.body);
        const call = openEnvelope(readXml(xml, xmlLimits));
        version = call.version;
        const { operation: element } = call;
        if (element.uri !== port.namespace) {
          throw new XmlRefused(
            `the operation element ${element.local.slice(0, 100)} is in namespace "${element.uri.slice(0, 200)}"; ${port.name}'s operations are in "${port.namespace}"`,
          );
        }
        const operation = operations.get(element.local);
        if (operation === undefined) throw new XmlRefused(`${port.name} has no operation ${element.local.slice(0, 100)}`);
        noteOperation(res, `${port.name}.${operation.name}`);
        noteItems(res, itemCount(element));
        const identity = res.locals.identity as Identity;
        const ctx = await routedContext(options, SOAP_READ_OPERATIONS.has(operation.name) ? 'read' : 'write', identity, req, res, requestIdOf(res));
        const body = await runOperation(port, operation, ctx, new Parts(element, operation.parts.map((p) => p.name)), service, version);
        res.status(200).type(contentType(version)).send(body);
      } catch (error) {
        if (error instanceof HeaderNotUnderstood) {
          noteFailure(res, 'InvalidArgument', error.message);
          // SOAP 1.2's HTTP binding answers MustUnderstand with 500, as SOAP 1.1 answers every fault.
          res.status(500).type(contentType(version)).send(mustUnderstandFault(version, error));
          return;
        }
        const [code, fault] = toFault(error, options.logger, res);
        noteFailure(res, code, fault.message);
        sendFault(res, version, fault);
      }
    });
  }

  /**
   * Who is calling is settled from the headers (and the TLS session) before a byte of the body is read, so
   * that a stranger cannot make the service read and parse envelopes: an anonymous call gets its 401 fault
   * at once, and the connection is closed rather than drained when the body has not all arrived.
   */
  async function authenticate(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const identity = await options.identify(req);
      res.locals.identity = identity;
      noteIdentity(res, identity);
    } catch (error) {
      if (!req.complete) res.setHeader('connection', 'close');
      const version = versionOf(req);
      if (error instanceof NotAuthenticated) {
        // HTTP clients (Axis, gSOAP, zeep) retry with credentials on 401 + WWW-Authenticate.
        const header = challenges(error.methods);
        if (header !== '') res.setHeader('www-authenticate', header);
        const message = `${error.message}; authenticate with ${describeMethods(error.methods)}`;
        noteFailure(res, error.code, message);
        res.status(401).type(contentType(version)).send(
          faultEnvelope(version, { name: 'AuthorizationException', message, source: 'client', requestId: requestIdOf(res) }),
        );
        return;
      }
      if (error instanceof TooManyRequests) {
        // Like the 401: an HTTP status clients act on, with the typed fault as the body.
        res.setHeader('retry-after', String(error.retryAfterSeconds));
        noteFailure(res, error.code, error.message);
        res.status(429).type(contentType(version)).send(
          faultEnvelope(version, { name: faultNameFor(error.code), message: error.message, source: 'client', requestId: requestIdOf(res) }),
        );
        return;
      }
      const [code, fault] = toFault(error, options.logger, res);
      noteFailure(res, code, fault.message);
      sendFault(res, version, fault);
      return;
    }
    next();
  }

  // Body reading failures (too large, aborted, bad encoding) are faults too, never HTML error pages.
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
    const code = type === 'entity.too.large' ? 'LimitExceeded' : 'InvalidArgument';
    const message = code === 'LimitExceeded' ? tooLarge(maxBodyBytes) : 'the request body could not be read';
    noteFailure(res, code, message);
    sendFault(res, versionOf(req), { name: 'InvalidArgumentException', message, source: 'client' }, code === 'LimitExceeded' ? 413 : undefined);
  });
  return router;
}

/**
 * A body declared larger than the limit is refused before a byte of it is read, and the connection is
 * closed after the fault: the body reader would otherwise drain all of it before answering.
 */
function refuseDeclaredOversize(maxBodyBytes: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.get('content-length'));
    if (!Number.isFinite(declared) || declared <= maxBodyBytes) return next();
    res.setHeader('connection', 'close');
    noteFailure(res, 'LimitExceeded', tooLarge(maxBodyBytes));
    sendFault(res, versionOf(req), { name: 'InvalidArgumentException', message: tooLarge(maxBodyBytes), source: 'client' }, 413);
  };
}

const tooLarge = (maxBodyBytes: number) => `the request body is larger than ${maxBodyBytes} bytes`;

/** The SOAP version a request announces by its media type, for the faults sent before its envelope is read. */
function versionOf(req: Request): SoapVersion {
  return /^\s*application\/soap\+xml\b/i.test(req.get('content-type') ?? '') ? '1.2' : '1.1';
}

async function runOperation(
  port: PortDefinition,
  operation: OperationDefinition,
  ctx: CatalogContext,
  parts: Parts,
  service: ServiceInfo,
  version: SoapVersion,
): Promise<string> {
  const returned = await operation.run({ ctx, parts, service });
  return rpcResponse(version, port.namespace, operation.name, returned);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decodeBody(body: unknown): string {
  if (!Buffer.isBuffer(body) || body.length === 0) throw new XmlRefused('the request has no body (expected a SOAP envelope)');
  try {
    return UTF8.decode(body);
  } catch {
    throw new XmlRefused('the request body is not UTF-8');
  }
}

/** The fault, and the catalog's code behind it (for the metrics and the audit of refusals). */
function toFault(error: unknown, logger: Logger, res: Response): [ErrorCode, SoapFault] {
  if (error instanceof XmlRefused) return ['InvalidArgument', { name: 'InvalidArgumentException', message: error.message, source: 'client' }];
  const catalogError = toCatalogError(error);
  if (catalogError.code !== 'Internal') {
    if (catalogError.code === 'Unavailable') logger.error({ err: error, requestId: requestIdOf(res) }, catalogError.message);
    if (catalogError.code === 'DeadlineExceeded') logger.warn({ err: error, requestId: requestIdOf(res) }, catalogError.message);
    const source = catalogError.code === 'Unavailable' || catalogError.code === 'DeadlineExceeded' ? 'server' : 'user';
    return [catalogError.code, { name: faultNameFor(catalogError.code), message: catalogError.message, source }];
  }
  logger.error({ err: error, requestId: requestIdOf(res) }, 'SOAP call failed');
  return ['Internal', { name: 'InternalException', message: 'internal error', source: 'server' }];
}

/** `httpStatus` overrides SOAP's own (500, or 400 for a 1.2 client fault) where HTTP has a better word: 413. */
function sendFault(res: Response, version: SoapVersion, fault: SoapFault, httpStatus?: number): void {
  const status = httpStatus ?? (version === '1.2' && fault.source === 'client' ? 400 : 500);
  res.status(status).type(contentType(version)).send(faultEnvelope(version, { ...fault, requestId: requestIdOf(res) }));
}

/** The items of a bulk call: the longest array (`<item>` children) among its parts, else 1. */
function itemCount(operation: XmlElement): number {
  let most = 1;
  for (const part of operation.children) {
    let items = 0;
    for (const child of part.children) if (child.local === 'item') items++;
    if (items > most) most = items;
  }
  return most;
}
