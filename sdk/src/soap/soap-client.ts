import { errorFromResponse, HttpError, Unauthenticated, type ReplicatErrorDetails } from '../errors';
import {
  FIREMAN_CATALOG,
  METADATA_CATALOG,
  STORAGE_INDEX,
  type FiremanCatalogPort,
  type MetadataCatalogPort,
  type StorageIndexPort,
} from '../generated/soap';
import { RestTransport, type CallOptions, type Outcome, type TransportOptions } from '../rest/rest-transport';
import { decodeAnswer, encodeCall } from './soap-codec';
import type { SoapOperationDescription, SoapPortDescription } from './soap-description';
import { readXmlTree, XmlUnreadable } from './xml-tree';

/**
 * A typed client of replicat's Fireman SOAP ports, for callers that must speak SOAP: the same
 * credentials, timeouts, cancellation and error classes as the REST client. Reads are retried on 503 and
 * broken connections; a fault is thrown as `NotExists`, `Exists`, `PermissionDenied`, `InvalidArgument`
 * or `Internal` (Fireman's five exceptions), a 401 as `Unauthenticated`.
 *
 * ```ts
 * const soap = new SoapClient({ baseUrl: 'https://catalog.example.org:8443', ...credentialsFromEnvironment() });
 * await soap.fireman.mkdir({ directories: ['/grid/vo/run2'], createParents: true, copyPermFromParent: false });
 * const ses = await soap.storageIndex.listSEbyLFN({ lfn: '/grid/vo/run1/a.root' });
 * ```
 *
 * A SOAP call is all or nothing on the service: one failing item faults the whole call.
 */
export class SoapClient {
  readonly fireman: FiremanCatalogPort;
  readonly storageIndex: StorageIndexPort;
  readonly metadata: MetadataCatalogPort;
  readonly #transport: RestTransport;

  constructor(options: TransportOptions) {
    this.#transport = new RestTransport(options);
    this.fireman = portClient<FiremanCatalogPort>(this.#transport, FIREMAN_CATALOG);
    this.storageIndex = portClient<StorageIndexPort>(this.#transport, STORAGE_INDEX);
    this.metadata = portClient<MetadataCatalogPort>(this.#transport, METADATA_CATALOG);
  }

  close(): Promise<void> {
    return this.#transport.close();
  }
}

type PortMethod = (args?: Readonly<Record<string, unknown>>, options?: CallOptions) => Promise<unknown>;

/**
 * One method per operation of the description. The object is built from the generated table, so the
 * generated interface of the same port is what gives it its types (hence the one cast).
 */
function portClient<P>(transport: RestTransport, port: SoapPortDescription): P {
  const methods: Record<string, PortMethod> = {};
  for (const [name, operation] of Object.entries(port.operations)) {
    methods[name] = (args = {}, options = {}) => callOperation(transport, port, name, operation, args, options);
  }
  return methods as unknown as P;
}

async function callOperation(
  transport: RestTransport,
  port: SoapPortDescription,
  name: string,
  operation: SoapOperationDescription,
  args: Readonly<Record<string, unknown>>,
  options: CallOptions,
): Promise<unknown> {
  const envelope = encodeCall(port.namespace, name, operation, args);
  return transport.exchange({ ...options, idempotent: options.idempotent ?? operation.reads }, async (attempt, init): Promise<Outcome<unknown>> => {
    try {
      const response = await transport.post(`/soap/${port.name}`, envelope, { ...init.headers, 'content-type': 'text/xml; charset=utf-8', soapaction: '""' }, init.signal);
      const text = await response.text();
      const requestId = response.headers.get('x-request-id') ?? undefined;
      const details: ReplicatErrorDetails = { status: response.status, ...(requestId !== undefined ? { requestId } : {}) };
      if (!/xml/i.test(response.headers.get('content-type') ?? '')) {
        if (response.ok) throw new HttpError(`HTTP ${response.status} with a body that is not XML`, details);
        return { failed: errorFromResponse(response.status, text, requestId), response };
      }
      let answer;
      try {
        answer = decodeAnswer(readXmlTree(text), name, operation, details);
      } catch (error) {
        if (error instanceof XmlUnreadable) throw new HttpError(`unreadable SOAP answer: ${error.message}`, details);
        throw error;
      }
      if ('value' in answer) return { value: answer.value };
      const failed = response.status === 401 ? new Unauthenticated(answer.fault.message, details) : answer.fault;
      return { failed, response };
    } finally {
      attempt.dispose();
    }
  });
}
