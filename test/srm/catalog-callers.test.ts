import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Unauthenticated } from '@replicat/sdk';
import pino from 'pino';
import request from 'supertest';
import { CatalogCallers } from '../../src/srm/catalog-callers';
import { CatalogUnavailable } from '../../src/srm/srm-catalog';
import { createSrmApp } from '../../src/srm/srm-app';
import { SrmService } from '../../src/srm/srm-service';
import { FakeCatalog } from './fake-catalog';

/** A catalog that knows one token and counts the whoami calls it answers. */
function whoamiCatalog(): { server: Server; calls: () => number; url: () => string } {
  let calls = 0;
  const server = createServer((req, res) => {
    calls += 1;
    res.setHeader('content-type', 'application/json');
    if (req.url !== '/api/v1/whoami' || req.headers.authorization !== 'Bearer good') {
      res.statusCode = 401;
      res.setHeader('content-type', 'application/problem+json');
      return void res.end(JSON.stringify({ type: '/docs/errors#Unauthenticated', title: 'Unauthenticated', status: 401, code: 'Unauthenticated', detail: 'who are you?' }));
    }
    res.end(JSON.stringify({ dn: '/CN=Good', group: 'g', groups: ['g'], method: 'bearer', admin: false }));
  });
  server.listen(0, '127.0.0.1');
  return { server, calls: () => calls, url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("the SRM's callers, as the catalog knows them", () => {
  let catalog: ReturnType<typeof whoamiCatalog>;
  beforeEach(async () => {
    catalog = whoamiCatalog();
    await new Promise((resolve) => catalog.server.once('listening', resolve));
  });
  afterEach(async () => {
    await new Promise((resolve) => catalog.server.close(resolve));
  });

  it('asks whoami with the caller’s header, and remembers the answer for a while', async () => {
    let clock = 0;
    const callers = new CatalogCallers({ baseUrl: catalog.url(), ttlMs: 60_000, now: () => clock });
    expect(await callers.identify('Bearer good')).toEqual({ id: '/CN=Good', authorization: 'Bearer good' });
    expect(await callers.identify('Bearer good')).toEqual({ id: '/CN=Good', authorization: 'Bearer good' });
    expect(catalog.calls()).toBe(1);
    clock += 60_000;
    await callers.identify('Bearer good');
    expect(catalog.calls()).toBe(2);
    await expect(callers.identify('Bearer bad')).rejects.toBeInstanceOf(Unauthenticated);
    await expect(callers.identify(undefined)).rejects.toBeInstanceOf(Unauthenticated);
  });

  it('answers 401 for credentials the catalog refuses, 503 when the catalog does not answer', async () => {
    const service = new SrmService(
      { ses: new Map(), stagingDelayMs: 0, pinLifetimeMs: 1000, maxPinLifetimeMs: 1000, putLifetimeMs: 1000, requestRetentionMs: 1000 },
      new FakeCatalog(),
    );
    const app = (baseUrl: string) => {
      const callers = new CatalogCallers({ baseUrl });
      return createSrmApp({ service, identify: (req) => callers.identify(req.get('authorization')), logger: pino({ level: 'silent' }) });
    };
    const up = app(catalog.url());
    expect((await request(up).post('/srm/v2/ping').set('authorization', 'Bearer good').send({})).status).toBe(200);
    expect((await request(up).post('/srm/v2/ping').set('authorization', 'Bearer bad').send({})).status).toBe(401);
    const url = catalog.url();
    await new Promise((resolve) => catalog.server.close(resolve));
    catalog = whoamiCatalog(); // (closed again in afterEach)
    const down = await request(app(url)).post('/srm/v2/ping').set('authorization', 'Bearer good').send({});
    expect([down.status, down.body.status]).toEqual([503, 'SRM_INTERNAL_ERROR']);
    await expect(new CatalogCallers({ baseUrl: url }).identify('Bearer good')).rejects.toBeInstanceOf(CatalogUnavailable);
  });
});
