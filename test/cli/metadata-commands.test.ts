import request from 'supertest';
import { STARTUP_MS, startCliService, type CliTestService } from './cli-harness';

let svc: CliTestService;
beforeAll(async () => {
  svc = await startCliService();
  const schema = await request(svc.catalog.app)
    .post('/api/v1/schemas')
    .send({ name: 'runs', attributes: [{ name: 'run', type: 'int' }, { name: 'detector', type: 'string' }, { name: 'good', type: 'bool' }] });
  expect(schema.status).toBeLessThan(300);
  expect((await svc.tool('glite-catalog-create', ['-p', '/grid/vo/run1/a.root', '/grid/vo/run1/b.root', '/grid/vo/run2/c.root'])).code).toBe(0);
}, STARTUP_MS);
afterAll(async () => svc.close());

describe('attributes', () => {
  it('sets typed values on wildcard matches and reads them back', async () => {
    expect((await svc.tool('glite-catalog-setattr', ['-a', 'run=1042', '-a', 'detector=tpc', '-a', 'good=yes', '/grid/vo/run1/*.root'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-getattr', ['/grid/vo/run1/a.root'])).lines).toEqual(['detector=tpc', 'good=true', 'run=1042']);
    const json = await svc.tool('glite-catalog-getattr', ['--json', '-a', 'run', '/grid/vo/run1/b.root']);
    expect(JSON.parse(json.stdout)).toEqual({ item: '/grid/vo/run1/b.root', ok: true, attributes: { run: 1042 } });
  });

  it('groups several entries under headers, and clears values', async () => {
    expect((await svc.tool('glite-catalog-setattr', ['-x', 'good', '/grid/vo/run1/b.root'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-getattr', ['-a', 'good', '/grid/vo/run1/a.root', '/grid/vo/run1/b.root'])).stdout).toBe(
      '# /grid/vo/run1/a.root\ngood=true\n\n# /grid/vo/run1/b.root\n',
    );
  });

  it('refuses a value of the wrong type before sending anything', async () => {
    const run = await svc.tool('glite-catalog-setattr', ['-a', 'run=many', '/grid/vo/run2/c.root']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/run is an int/);
  });
});

describe('query', () => {
  it('prints the LFNs of matches, or their number', async () => {
    expect((await svc.tool('glite-catalog-query', ["run > 1000 AND detector = 'tpc'"])).lines).toEqual(['/grid/vo/run1/a.root', '/grid/vo/run1/b.root']);
    expect((await svc.tool('glite-catalog-query', ['--count', 'EXISTS run'])).stdout).toBe('2\n');
    expect((await svc.tool('glite-catalog-query', ['--under', '/grid/vo/run2', 'EXISTS run'])).lines).toEqual([]);
    expect(JSON.parse((await svc.tool('glite-catalog-query', ['--json', 'good = true'])).stdout)).toMatchObject({ lfn: '/grid/vo/run1/a.root', kind: 'file' });
  });

  it('takes a malformed query as a usage error', async () => {
    const run = await svc.tool('glite-catalog-query', ['run >']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^glite-catalog-query: query: /);
  });
});
