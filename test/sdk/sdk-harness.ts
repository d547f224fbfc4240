import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReplicatClient, type ReplicatClientOptions } from '../../sdk/src';
import { startTestCatalog, type TestCatalog, type TestCatalogOptions, type TEST_LIMITS } from '../support/test-catalog';

export interface SdkTestService {
  readonly catalog: TestCatalog;
  /** `http://127.0.0.1:<port>` of the running app. */
  readonly baseUrl: string;
  /** Every request the service received, `METHOD /path?query`, in order (tests clear it as they like). */
  readonly requests: string[];
  /** A client of this service; closed with the service. */
  client(options?: Partial<ReplicatClientOptions>): ReplicatClient;
  close(): Promise<void>;
}

/** The test catalog on a loopback port, since the SDK speaks HTTP to a URL like any outside caller. */
export async function startSdkService(limits: Partial<typeof TEST_LIMITS> = {}, options: TestCatalogOptions = {}): Promise<SdkTestService> {
  const catalog = await startTestCatalog(limits, options);
  const requests: string[] = [];
  const server = await new Promise<Server>((resolve) => {
    const s = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      catalog.app(req, res);
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: ReplicatClient[] = [];
  return {
    catalog,
    baseUrl,
    requests,
    client(extra = {}) {
      const client = new ReplicatClient({ baseUrl, ...extra });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await catalog.close();
    },
  };
}

/** The failed items' codes, `'ok'` for successes, for compact assertions. */
export function codesOf(results: readonly ({ ok: true } | { ok: false; error: { code: string } })[]): string[] {
  return results.map((r) => (r.ok ? 'ok' : r.error.code));
}
