import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { challenges, describeMethods, NotAuthenticated } from '../auth/not-authenticated';
import type { CatalogContext } from '../core/context';
import { catalogContext, type FaceOptions } from '../face-options';
import { CatalogError } from '../core/errors';
import type { DatabaseHandle } from '../db/database-handle';
import { Parts } from './decode-parts';
import { contentType, openEnvelope, rpcResponse, type SoapVersion } from './envelope';
import { faultEnvelope, faultNameFor, type SoapFault } from './faults';
import type { OperationDefinition, PortDefinition, ServiceInfo } from './operation';
import { FIREMAN_CATALOG } from './ports/fireman-catalog';
import { METADATA_CATALOG } from './ports/metadata-catalog';
import { STORAGE_INDEX } from './ports/storage-index';
import { readServiceInfo } from './service-info';
import { wsdlDocument } from './wsdl-document';
import { DEFAULT_XML_LIMITS, readXml, XmlRefused, type XmlReaderLimits } from './xml-reader';

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
  const readBody = express.raw({ limit: options.limits.maxBodyBytes, type: () => true });

  for (const port of SOAP_PORTS) {
    const operations = new Map(port.operations.map((op) => [op.name, op]));
    const path = `/${port.name}`;

    router.get(path, (req, res) => {
      if (!WANTS_WSDL.test(req.originalUrl)) {
        res.type('text/plain').send(`${port.name} SOAP endpoint (rpc/literal, SOAP 1.1 and 1.2); its WSDL is at ?wsdl\n`);
        return;
      }
      const host = req.get('host');
      const address = `${req.protocol}://${host !== undefined && HOST.test(host) ? host : 'localhost'}${req.baseUrl}${path}`;
      res.type('text/xml; charset=utf-8').send(wsdlDocument(port, address));
    });

    router.post(path, refuseDeclaredOversize(options.limits.maxBodyBytes), readBody, async (req: Request, res: Response) => {
      let version: SoapVersion = '1.1';
      try {
        const xml = decodeBody(req.body);
        const call = openEnvelope(readXml(xml, xmlLimits));
        version = call.version;
        const operation = operations.get(call.operation.local);
        if (operation === undefined) throw new XmlRefused(`${port.name} has no operation ${call.operation.local.slice(0, 100)}`);
        const ctx = catalogContext(options, await options.identify(req));
        const body = await runOperation(port, operation, ctx, new Parts(call.operation, operation.parts.map((p) => p.name)), service, version);
        res.status(200).type(contentType(version)).send(body);
      } catch (error) {
        if (error instanceof NotAuthenticated) {
          // HTTP clients (Axis, gSOAP, zeep) retry with credentials on 401 + WWW-Authenticate.
          const header = challenges(error.methods);
          if (header !== '') res.setHeader('www-authenticate', header);
          res.status(401).type(contentType(version)).send(
            faultEnvelope(version, { name: 'AuthorizationException', message: `${error.message}; authenticate with ${describeMethods(error.methods)}`, source: 'client' }),
          );
          return;
        }
        sendFault(res, version, toFault(error, options.logger, res));
      }
    });
  }

  // Body reading failures (too large, aborted, bad encoding) are faults too, never HTML error pages.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
    const message = type === 'entity.too.large' ? tooLarge(options.limits.maxBodyBytes) : 'the request body could not be read';
    sendFault(res, '1.1', { name: 'InvalidArgumentException', message, source: 'client' });
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
    sendFault(res, '1.1', { name: 'InvalidArgumentException', message: tooLarge(maxBodyBytes), source: 'client' });
  };
}

const tooLarge = (maxBodyBytes: number) => `the request body is larger than ${maxBodyBytes} bytes`;

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

function toFault(error: unknown, logger: Logger, res: Response): SoapFault {
  if (error instanceof XmlRefused) return { name: 'InvalidArgumentException', message: error.message, source: 'client' };
  if (error instanceof CatalogError && error.code !== 'Internal') {
    return { name: faultNameFor(error.code), message: error.message, source: error.code === 'Unavailable' ? 'server' : 'user' };
  }
  logger.error({ err: error, requestId: res.getHeader('x-request-id') }, 'SOAP call failed');
  return { name: 'InternalException', message: 'internal error', source: 'server' };
}

function sendFault(res: Response, version: SoapVersion, fault: SoapFault): void {
  const status = version === '1.2' && fault.source === 'client' ? 400 : 500;
  res.status(status).type(contentType(version)).send(faultEnvelope(version, fault));
}
