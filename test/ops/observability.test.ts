import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import type { AuditEvent, Identity } from '../../src/core/context';
import type { DatabaseHandle } from '../../src/db/database-handle';
import { ServiceMetrics } from '../../src/ops/metrics';
import { createRestApp } from '../../src/rest/app';
import { listOperations, openApiDocument } from '../../src/rest/openapi-document';
import { expectContract, openTestDatabase, TEST_IDENTITY, TEST_LIMITS } from '../support/test-catalog';

const FIREMAN = 'http://glite.org/wsdl/services/org.glite.data.catalog.service.fireman';
const MALLORY: Identity = { dn: '/DC=org/DC=example/CN=Mallory', group: 'others', groups: ['others'] };

const soapCall = (body: string) =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

/** The value of one sample of the Prometheus text, or undefined when the sample is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('operations: metrics, request logs, audit, the docs page', () => {
  let database: DatabaseHandle;
  let drop: () => Promise<void>;
  let app: ReturnType<typeof createRestApp>;
  let caller: Identity = TEST_IDENTITY;
  const logLines: Record<string, unknown>[] = [];
  const audits: AuditEvent[] = [];

  beforeAll(async () => {
    ({ database, drop } = await openTestDatabase());
    const logger = pino(
      { level: 'debug' },
      new Writable({ write: (chunk: Buffer, _enc, done) => (logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }),
    );
    app = createRestApp({
      database,
      limits: TEST_LIMITS,
      identify: () => caller,
      logger,
      audit: (event) => audits.push(event),
      metrics: new ServiceMetrics({ database }),
    });
    const made = await request(app).post('/api/v1/directories').send({ items: [{ lfn: '/ops/private', parents: true }] });
    expect(made.status).toBe(200);
  });
  afterAll(async () => {
    await database.close();
    await drop();
  });

  const metrics = async () => {
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return res.text;
  };

  describe('/metrics', () => {
    it('counts REST requests, their latency, bulk sizes and failed items by code, per operation', async () => {
      const res = await request(app)
        .post('/api/v1/files')
        .send({ items: [{ lfn: '/ops/a' }, { lfn: '/ops/a' }, { lfn: '/nowhere/b' }] });
      expect(res.status).toBe(200);
      const text = await metrics();
      const rest = { face: 'rest', operation: 'createFiles' };
      expect(sample(text, 'replicat_requests_total', { ...rest, status: '200' })).toBe(1);
      expect(sample(text, 'replicat_request_duration_seconds_count', rest)).toBe(1);
      expect(sample(text, 'replicat_bulk_items_sum', rest)).toBe(3);
      expect(sample(text, 'replicat_item_errors_total', { ...rest, code: 'Exists' })).toBe(1);
      expect(sample(text, 'replicat_item_errors_total', { ...rest, code: 'NotExists' })).toBe(1);
    });

    it('counts whole-request failures by code', async () => {
      expect((await request(app).post('/api/v1/entries/stat').send({ items: 'nope' })).status).toBe(400);
      expect((await request(app).get('/api/v1/no/such/route')).status).toBe(404);
      const text = await metrics();
      expect(sample(text, 'replicat_request_failures_total', { face: 'rest', operation: 'statEntries', code: 'InvalidArgument' })).toBe(1);
      expect(sample(text, 'replicat_requests_total', { face: 'rest', operation: 'unknown', status: '404' })).toBe(1);
    });

    it('counts SOAP calls per port and operation, with their items and faults', async () => {
      const mkdir = soapCall(`<f:mkdir xmlns:f="${FIREMAN}"><directories><item>/ops/s1</item><item>/ops/s2</item></directories><createParents>true</createParents></f:mkdir>`);
      const ok = await request(app).post('/soap/FiremanCatalog').set('content-type', 'text/xml').send(mkdir);
      expect(ok.status).toBe(200);
      const again = await request(app).post('/soap/FiremanCatalog').set('content-type', 'text/xml').send(mkdir.replace('true', 'false'));
      expect(again.status).toBe(500);
      const text = await metrics();
      const soap = { face: 'soap', operation: 'FiremanCatalog.mkdir' };
      expect(sample(text, 'replicat_requests_total', { ...soap, status: '200' })).toBe(1);
      expect(sample(text, 'replicat_bulk_items_sum', soap)).toBe(4);
      expect(sample(text, 'replicat_request_failures_total', { ...soap, code: 'Exists' })).toBe(1);
    });

    it('shows the database pool on PostgreSQL', async () => {
      const text = await metrics();
      if (database.dialect === 'postgres') {
        expect(sample(text, 'replicat_db_pool_max')).toBe(10);
        expect(sample(text, 'replicat_db_pool_connections')).toBeGreaterThanOrEqual(1);
        expect(sample(text, 'replicat_db_pool_waiting')).toBe(0);
      } else {
        expect(sample(text, 'replicat_db_pool_max')).toBeUndefined();
      }
      expect(sample(text, 'replicat_database_up')).toBe(1);
      expect(sample(text, 'replicat_requests_in_flight', { face: 'ops' })).toBe(1); // this scrape
    });
  });

  describe('logs', () => {
    it('writes one JSON line per request with its id, face, operation, caller and outcome', async () => {
      const res = await request(app).post('/api/v1/entries/stat').set('x-request-id', 'log-me-1').send({ items: [{ lfn: '/ops' }, { lfn: '/nope' }] });
      expect(res.headers['x-request-id']).toBe('log-me-1');
      const line = logLines.find((l) => l.requestId === 'log-me-1' && l.msg === 'request');
      expect(line).toMatchObject({ face: 'rest', operation: 'statEntries', status: 200, user: TEST_IDENTITY.dn, items: 2, failedItems: 1, method: 'POST' });
      expect(line!.ms).toEqual(expect.any(Number));
    });

    it('puts the request id into SOAP fault details', async () => {
      const res = await request(app)
        .post('/soap/FiremanCatalog')
        .set('content-type', 'text/xml')
        .set('x-request-id', 'soap-fault-7')
        .send(soapCall(`<f:getLfnStat xmlns:f="${FIREMAN}"><lfns><item>/ops/none</item></lfns></f:getLfnStat>`));
      expect(res.status).toBe(500);
      expect(res.headers['x-request-id']).toBe('soap-fault-7');
      expect(res.text).toContain('NotExistsException');
      expect(res.text).toMatch(/<rq:requestId xmlns:rq="urn:replicat:soap">soap-fault-7<\/rq:requestId>/);
    });
  });

  describe('audit', () => {
    it('records permission changes with the request that made them', async () => {
      audits.length = 0;
      const res = await request(app)
        .post('/api/v1/permissions/set')
        .set('x-request-id', 'perm-change-1')
        .send({ items: [{ lfn: '/ops/private', permission: { base: { other: [] } } }] });
      expect(res.status).toBe(200);
      expect(audits).toContainEqual(expect.objectContaining({ actor: TEST_IDENTITY.dn, lfn: '/ops/private', requestId: 'perm-change-1' }));
      expect(sample(await metrics(), 'replicat_audit_events_total', { action: 'set-permission' })).toBeGreaterThanOrEqual(1);
    });

    it('records a refused request (PermissionDenied items) once, with the caller and the first refusal', async () => {
      audits.length = 0;
      caller = MALLORY;
      try {
        const res = await request(app)
          .post('/api/v1/files')
          .set('x-request-id', 'mallory-1')
          .send({ items: [{ lfn: '/ops/private/x' }, { lfn: '/ops/private/y' }] });
        expect(res.status).toBe(200);
        expect((res.body as { results: { error?: { code: string } }[] }).results.map((r) => r.error?.code)).toEqual(['PermissionDenied', 'PermissionDenied']);
      } finally {
        caller = TEST_IDENTITY;
      }
      expect(audits).toEqual([
        expect.objectContaining({ action: 'refused:authorization', actor: MALLORY.dn, requestId: 'mallory-1', detail: expect.stringMatching(/rest createFiles .*permission denied/) }),
      ]);
    });

    it('records a refused SOAP call', async () => {
      audits.length = 0;
      caller = MALLORY;
      try {
        const res = await request(app)
          .post('/soap/FiremanCatalog')
          .set('content-type', 'text/xml')
          .set('x-request-id', 'mallory-soap')
          .send(soapCall(`<f:mkdir xmlns:f="${FIREMAN}"><directories><item>/ops/private/d</item></directories><createParents>false</createParents></f:mkdir>`));
        expect(res.text).toContain('AuthorizationException');
      } finally {
        caller = TEST_IDENTITY;
      }
      expect(audits).toEqual([expect.objectContaining({ action: 'refused:authorization', actor: MALLORY.dn, requestId: 'mallory-soap' })]);
    });
  });

  it('answers 503 on /readyz while draining, so load balancers stop sending', async () => {
    const draining = createRestApp({ database, limits: TEST_LIMITS, identify: () => caller, logger: pino({ level: 'silent' }), draining: () => true });
    const res = await request(draining).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'Unavailable', detail: 'the service is shutting down' });
    expect((await request(app).get('/readyz')).status).toBe(200);
  });

  describe('/docs', () => {
    it('renders every operation of the contract as HTML, with no external asset', async () => {
      const res = await request(app).get('/docs');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      for (const { path, operation } of listOperations(openApiDocument())) {
        expect(res.text).toContain(`id="op-${operation.operationId}"`);
        expect(res.text).toContain(path.replaceAll('&', '&amp;'));
      }
      expect(res.text).toContain('id="schema-CreateFileItem"');
      expect(res.text).not.toMatch(/<script|<link|src="http|@import/i);
    });

    it('explains every error code at the target of problem type links', async () => {
      const problem = await request(app).get('/api/v1/nope');
      expectContract('Problem', problem.body);
      const [page, anchor] = (problem.body as { type: string }).type.split('#');
      const res = await request(app).get(page!);
      expect(res.status).toBe(200);
      expect(res.text).toContain(`id="${anchor}"`);
      for (const code of ['NotExists', 'Unavailable', 'LimitExceeded']) expect(res.text).toContain(`id="${code}"`);
    });
  });
});
