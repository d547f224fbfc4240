import request from 'supertest';
import { ConfigError, loadConfig } from '../../src/config';
import type { Identity } from '../../src/core/context';
import { call, expectFault, list, startSoapService, switchableCaller, type SoapTestService } from '../soap/soap-harness';
import { TEST_IDENTITY } from '../support/test-catalog';

jest.setTimeout(180_000);

// The production default: schemas are shared by every user, so only admins change them.
const ADMIN: Identity = { dn: '/DC=org/DC=example/CN=Catalog Admin', group: 'admins', groups: [], admin: true };

describe('schema management is reserved to admins by default', () => {
  let svc: SoapTestService;
  const caller = switchableCaller(TEST_IDENTITY);
  const app = () => svc.catalog.app;

  beforeAll(async () => {
    svc = await startSoapService({}, { identify: caller.identify, metadata: { schemaManagers: 'admins' } });
  });
  afterAll(() => svc.close());

  it('refuses a plain user every change with 403 PermissionDenied, and lets them read schemas', async () => {
    await caller.as(ADMIN, () => request(app()).post('/api/v1/schemas').send({ name: 'runs', attributes: [{ name: 'run', type: 'int' }] }).expect(201));
    const refusals = [
      request(app()).post('/api/v1/schemas').send({ name: 'mine', attributes: [] }),
      request(app()).post('/api/v1/schemas/runs/attributes').send({ attributes: [{ name: 'lumi', type: 'float' }] }),
      request(app()).delete('/api/v1/schemas/runs/attributes').send({ names: ['run'] }),
      request(app()).delete('/api/v1/schemas/runs'),
    ];
    for (const res of await Promise.all(refusals)) {
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'PermissionDenied', detail: expect.stringMatching(/only admins/) });
    }
    expect((await request(app()).get('/api/v1/schemas').expect(200)).body.schemas.map((s: { name: string }) => s.name)).toEqual(['runs']);
    expect((await request(app()).get('/api/v1/schemas/runs').expect(200)).body.attributes).toEqual([{ name: 'run', type: 'int' }]);
  });

  it('faults a plain user with AuthorizationException over SOAP; an admin may', async () => {
    const meta = await svc.client('MetadataCatalog');
    const fault = await expectFault(call(meta, 'createSchema', { schemaName: 'soapy', attributes: list({ name: 'soapy.a', value: null, type: 'int' }) }));
    expect(fault.name).toBe('AuthorizationException');
    await caller.as(ADMIN, () => call(meta, 'createSchema', { schemaName: 'soapy', attributes: list({ name: 'soapy.a', value: null, type: 'int' }) }));
    expect((await expectFault(call(meta, 'dropSchema', { schemaName: 'soapy' }))).name).toBe('AuthorizationException');
  });

  it('is configured with REPLICAT_SCHEMA_MANAGERS', () => {
    expect(loadConfig({}).metadata.schemaManagers).toBe('admins');
    expect(loadConfig({ REPLICAT_SCHEMA_MANAGERS: 'everyone' }).metadata.schemaManagers).toBe('everyone');
    expect(() => loadConfig({ REPLICAT_SCHEMA_MANAGERS: 'anyone' })).toThrow(ConfigError);
  });
});
