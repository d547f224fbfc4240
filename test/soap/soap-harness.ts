import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as soap from 'soap';
import { startTestCatalog, type TestCatalog, type TEST_LIMITS } from '../support/test-catalog';

export interface SoapTestService {
  readonly catalog: TestCatalog;
  /** `http://127.0.0.1:<port>` of the running app. */
  readonly baseUrl: string;
  /** A client built from the served WSDL of a port, as any Fireman client would build one. */
  client(port: 'FiremanCatalog' | 'StorageIndex'): Promise<soap.Client>;
  /** POSTs a raw envelope and returns status and body. */
  post(port: string, body: string | Buffer, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** The test catalog listening on a loopback port, since a SOAP client speaks HTTP to a URL. */
export async function startSoapService(limits: Partial<typeof TEST_LIMITS> = {}): Promise<SoapTestService> {
  const catalog = await startTestCatalog(limits);
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
