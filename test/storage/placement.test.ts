import request from 'supertest';
import { StorageDirectory } from '../../src/core/storage/storage-directory';
import type { StorageElement } from '../../src/core/storage/storage-element';
import { expandTurl, parseTurlTemplate, surlPath } from '../../src/core/storage/turl-template';
import { catalogApi, codes, type ItemResult, type TestCatalog } from '../support/test-catalog';
import { asAdmin, seItem, startStorageCatalog } from './storage-catalog';

function se(name: string, host: string, surlPrefixes: string[] = []): StorageElement {
  return { name, host, surlPrefixes, status: 'online', nearline: false, protocols: [], ctime: new Date(0), mtime: new Date(0) };
}

describe('which SE a SURL is on', () => {
  const directory = new StorageDirectory([
    se('general', 'se1.example.org', ['srm://se1.example.org/dpm/']),
    se('atlas', 'se1.example.org', ['srm://se1.example.org/dpm/atlas/']),
    se('b-alias', 'se2.example.org'),
    se('a-alias', 'se2.example.org'),
    se('elsewhere', 'se3.example.org', ['srm://se4.example.org/data/']),
  ]);
  const on = (surl: string) => directory.locate(surl)?.name ?? 'unregistered';

  it('takes the longest prefix the SURL starts with', () => {
    expect(on('srm://se1.example.org/dpm/atlas/f')).toBe('atlas');
    expect(on('srm://se1.example.org/dpm/cms/f')).toBe('general');
  });

  it('falls back to the SE of the host (the first by name), prefixes compared byte for byte', () => {
    // Another spelling of the same file: no prefix matches, the host decides.
    expect(on('srm://se1.example.org:8446/srm/managerv2?SFN=/dpm/atlas/f')).toBe('atlas');
    expect(on('gsiftp://SE2.example.org/f')).toBe('a-alias');
    expect(on('srm://se4.example.org/data/f')).toBe('elsewhere');
    expect(on('srm://se4.example.org/other/f')).toBe('unregistered');
    expect(on('root://nowhere.example.org//f')).toBe('unregistered');
  });
});

describe('TURL templates', () => {
  it('takes the path from SFN, else from the URL path, with repeated slashes folded and escapes decoded', () => {
    expect(surlPath('srm://se1.example.org:8446/srm/managerv2?SFN=/dpm/vo/f1')).toBe('/dpm/vo/f1');
    expect(surlPath('root://se1.example.org//dpm//vo/f%20one')).toBe('/dpm/vo/f one');
    expect(expandTurl('https://{host}:8443/data{path}', 'srm://SE1.example.org/dpm/vo/f')).toBe('https://se1.example.org:8443/data/dpm/vo/f');
    expect(expandTurl('file:///storage/se1{path}', 'srm://se1.example.org/vo/f')).toBe('file:///storage/se1/vo/f');
  });

  it.each([
    ['https', 'https://se/data', '{path} exactly once'],
    ['https', 'https://se/{path}{path}', '{path} exactly once'],
    ['https', 'https://se/{file}', 'unknown placeholder {file}'],
    ['root', 'https://se/{path}', 'must start with root://'],
    ['https', 'https://se/ {path}', 'white space'],
    ['https', 'https://se/{path}}', 'unbalanced braces'],
  ])('refuses %s %s', (scheme, template, message) => {
    expect(() => parseTurlTemplate(scheme, template)).toThrow(message);
  });
});

describe('replicas on unregistered SEs', () => {
  let catalog: TestCatalog;
  let api: ReturnType<typeof catalogApi>;

  beforeAll(async () => {
    catalog = await startStorageCatalog({}, { unregisteredSes: 'refuse' });
    api = catalogApi(catalog.app);
    const res = await asAdmin(catalog.app).post('/api/v1/storage-elements', { items: [seItem('se1.example.org'), seItem('tape', { host: 'tape.example.org', surlPrefixes: [] })] });
    expect(codes((res.body as { results: ItemResult[] }).results)).toEqual(['ok', 'ok']);
    await api.mkdir('/policy');
  });
  afterAll(() => catalog.close());

  it('refuses them when the site says so, file and all, while registered SEs (by prefix or host) are fine', async () => {
    const created = await api.createFiles([
      { lfn: '/policy/a', replicas: [{ surl: 'srm://se1.example.org/dpm/a' }, { surl: 'srm://tape.example.org:8443/a' }] },
      { lfn: '/policy/b', replicas: [{ surl: 'srm://se1.example.org/dpm/b' }, { surl: 'srm://typo.example.org/b' }] },
      { lfn: '/policy/c' },
    ]);
    expect(codes(created)).toEqual(['ok', 'InvalidArgument', 'ok']);
    expect(created[1]).toMatchObject({ ok: false, error: { message: expect.stringContaining('typo.example.org') } });
    expect(codes(await api.stat([{ lfn: '/policy/b' }]))).toEqual(['NotExists']);
    const added = await api.addReplicas([
      { lfn: '/policy/c', surl: 'gsiftp://se1.example.org/c' },
      { lfn: '/policy/c', surl: 'gsiftp://typo.example.org/c' },
    ]);
    expect(codes(added)).toEqual(['ok', 'InvalidArgument']);
  });

  it('lists replicas of an SE that went offline or away, as before', async () => {
    const admin = asAdmin(catalog.app);
    expect((await admin.patch('/api/v1/storage-elements/tape', { status: 'offline' })).status).toBe(200);
    expect((await admin.delete('/api/v1/storage-elements/tape')).status).toBe(204);
    const listed = await request(catalog.app).get('/api/v1/replicas').query({ se: 'tape.example.org' });
    expect(listed.status).toBe(200);
    expect((listed.body as { replicas: { surl: string }[] }).replicas.map((r) => r.surl)).toEqual(['srm://tape.example.org:8443/a']);
  });
});
