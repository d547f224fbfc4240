import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as soap from 'soap';
import type { Identity } from '../../src/core/context';
import { startTestCatalog, type TestCatalog, type TestCatalogOptions, type TEST_LIMITS } from '../support/test-catalog';

export interface SoapTestService {
  readonly catalog: TestCatalog;
  /** `http://127.0.0.1:<port>` of the running app. */
  readonly baseUrl: string;
  /** A client built from the served WSDL of a port, as any Fireman client would build one. */
  client(port: 'FiremanCatalog' | 'StorageIndex' | 'MetadataCatalog'): Promise<soap.Client>;
  /** POSTs a raw envelope and returns status and body. */
  post(port: string, body: string | Buffer, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** The test catalog listening on a loopback port, since a SOAP client speaks HTTP to a URL. */
export async function startSoapService(limits: Partial<typeof TEST_LIMITS> = {}, options: TestCatalogOptions = {}): Promise<SoapTestService> {
  const catalog = await startTestCatalog(limits, options);
  const server = await new Promise<Server>((resolve) => {
    const s = catalog.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = new Map<string, soap.Client>();
  return {
    catalog,
    baseUrl,
    async client(port) {
      const known = clients.get(port);
      if (known) return known;
      const client = await soap.createClientAsync(`${baseUrl}/soap/${port}?wsdl`);
      clients.set(port, client);
      return client;
    },
    async post(port, body, headers = {}) {
      const res = await fetch(`${baseUrl}/soap/${port}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', ...headers },
        body,
      });
      return { status: res.status, body: await res.text() };
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await catalog.close();
    },
  };
}

/** The `soap` client gives one `<item>` as a value and none as undefined: always an array here. */
export function asArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export interface CaughtFault {
  /** The Fireman fault, from the detail's xsi:type: `NotExistsException`, … */
  readonly name: string;
  readonly message: string;
  readonly faultcode: string;
}

/** Awaits a call that must fault and reports which Fireman fault it was. */
export async function expectFault(call: Promise<unknown>): Promise<CaughtFault> {
  let error: unknown;
  try {
    await call;
  } catch (caught) {
    error = caught;
  }
  if (error === undefined) throw new Error('expected a SOAP fault, but the call succeeded');
  type FaultBody = { faultcode: string; faultstring: string; detail?: { fault?: { attributes?: Record<string, string>; message?: string } } };
  const fault = (error as { root?: { Envelope?: { Body?: { Fault?: FaultBody } } } }).root?.Envelope?.Body?.Fault;
  if (fault === undefined) throw error;
  const type = fault.detail?.fault?.attributes?.['xsi:type'] ?? '';
  return { name: type.replace(/^.*:/, ''), message: fault.detail?.fault?.message ?? '', faultcode: fault.faultcode };
}

/** Extracts the text of every `<item>` of a raw response body (no XML library on the client side). */
export function itemsOf(xml: string): string[] {
  return [...xml.matchAll(/<item>([^<]*)<\/item>/g)].map((m) => m[1]!);
}

type AsyncOperation = (args: unknown) => Promise<[Record<string, unknown> | null, string]>;

/**
 * Calls an operation through the WSDL-built client and returns its `<opNameReturn>` (as the client
 * decoded it: strings, objects, one item unwrapped). Operations without parts take `null` arguments.
 */
export async function call(client: soap.Client, operation: string, args: Record<string, unknown> | null = null): Promise<unknown> {
  const method = (client as unknown as Record<string, AsyncOperation | undefined>)[`${operation}Async`];
  if (method === undefined) throw new Error(`the WSDL has no operation ${operation}`);
  const [result] = await method.call(client, args);
  return result?.[`${operation}Return`];
}

/** `{ item: [...] }`, the shape of an ArrayOf_* argument. */
export const list = (...values: unknown[]) => ({ item: values });

/**
 * A caller the tests can change for a moment: pass `identify` to `startSoapService`, and wrap calls that
 * must run as someone else in `as(who, work)`.
 */
export function switchableCaller(initial: Identity) {
  let current = initial;
  return {
    identify: (): Identity => current,
    async as<T>(who: Identity, work: () => Promise<T>): Promise<T> {
      current = who;
      try {
        return await work();
      } finally {
        current = initial;
      }
    },
  };
}
