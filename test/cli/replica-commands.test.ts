import { STARTUP_MS, startCliService, type CliTestService } from './cli-harness';

const GUID = '6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c';
let svc: CliTestService;
beforeAll(async () => {
  svc = await startCliService();
  expect(
    (await svc.tool('glite-catalog-create', ['-p', '--guid', `guid:${GUID}`, '--surl', 'srm://se1.example.org/vo/a.root', '--surl', 'srm://se2.example.org/vo/a.root', '/grid/vo/a.root']))
      .code,
  ).toBe(0);
  expect((await svc.tool('glite-catalog-create', ['/grid/vo/b.root', '/grid/vo/bare.root'])).code).toBe(0);
}, STARTUP_MS);
afterAll(async () => svc.close());

describe('replicas', () => {
  it('prints SURLs, master first, a blank line between files', async () => {
    expect((await svc.tool('glite-catalog-addreplica', ['/grid/vo/b.root', 'srm://se3.example.org/vo/b.root'])).code).toBe(0);
    const run = await svc.tool('glite-catalog-getreplica', ['/grid/vo/a.root', 'guid:' + GUID, '/grid/vo/b.root']);
    expect(run.stdout).toBe(
      'srm://se1.example.org/vo/a.root\nsrm://se2.example.org/vo/a.root\n\nsrm://se1.example.org/vo/a.root\nsrm://se2.example.org/vo/a.root\n\nsrm://se3.example.org/vo/b.root\n',
    );
  });

  it('gives times and the master flag with -l', async () => {
    const run = await svc.tool('glite-catalog-getreplica', ['-l', '/grid/vo/a.root']);
    expect(run.lines[0]).toBe('Replicas for /grid/vo/a.root');
    expect(run.lines[1]).toMatch(/^\S+Z  \S+Z  Master  srm:\/\/se1\.example\.org\/vo\/a\.root$/);
    expect(run.lines[2]).toMatch(/^\S+Z  \S+Z          srm:\/\/se2\.example\.org\/vo\/a\.root$/);
  });

  it('moves the master, removes replicas, and takes FILE SURL pairs from a list', async () => {
    expect((await svc.tool('glite-catalog-setmaster', [`guid:${GUID}`, 'srm://se2.example.org/vo/a.root'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-getreplica', ['/grid/vo/a.root'])).lines[0]).toBe('srm://se2.example.org/vo/a.root');
    const list = '/grid/vo/bare.root srm://se4.example.org/vo/bare.root\n# comment\n/grid/vo/nope srm://se4.example.org/vo/nope\n';
    const added = await svc.tool('glite-catalog-addreplica', ['-f', '-'], { stdin: list });
    expect(added.code).toBe(1);
    expect(added.stderr).toMatch(/^glite-catalog-addreplica: \/grid\/vo\/nope srm:\/\/se4\.example\.org\/vo\/nope: .*\(NotExists\)\n$/);
    expect((await svc.tool('glite-catalog-rmreplica', ['/grid/vo/a.root', 'srm://se1.example.org/vo/a.root'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-getreplica', ['/grid/vo/a.root', '/grid/vo/bare.root'])).lines).toEqual([
      'srm://se2.example.org/vo/a.root',
      '',
      'srm://se4.example.org/vo/bare.root',
    ]);
    expect((await svc.tool('glite-catalog-addreplica', ['/grid/vo/a.root', 'not-a-surl'])).code).toBe(2);
  });

  it('lists the storage elements of files by LFN or GUID', async () => {
    const run = await svc.tool('glite-seindex-listse', ['/grid/vo/*.root', `guid:${GUID}`]);
    expect(run.stdout).toBe('se2.example.org\n\nse3.example.org\n\nse4.example.org\n\nse2.example.org\n');
    const json = await svc.tool('glite-seindex-listse', ['--json', '/grid/vo/b.root']);
    expect(JSON.parse(json.stdout)).toMatchObject({ item: '/grid/vo/b.root', ok: true, ses: ['se3.example.org'] });
  });
});

describe('GUIDs and LFNs', () => {
  it('prints the GUID of one LFN alone, and LFN GUID pairs for several', async () => {
    expect((await svc.tool('glite-catalog-getguid', ['/grid/vo/a.root'])).stdout).toBe(`${GUID}\n`);
    const several = await svc.tool('glite-catalog-getguid', ['/grid/vo/a*', '/grid/vo/nope']);
    expect(several.lines).toEqual([`/grid/vo/a.root ${GUID}`]);
    expect(several.code).toBe(1);
  });

  it('finds the LFN of a file without replicas by its GUID', async () => {
    const other = '6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8d';
    expect((await svc.tool('glite-catalog-create', ['--guid', other, '/grid/vo/no-replica.root'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-getlfn', [other])).stdout).toBe('/grid/vo/no-replica.root\n');
  });

  it('finds the LFN of a GUID or a SURL', async () => {
    expect((await svc.tool('glite-catalog-getlfn', [`guid:${GUID}`])).stdout).toBe('/grid/vo/a.root\n');
    expect((await svc.tool('glite-catalog-getlfn', ['srm://se3.example.org/vo/b.root', GUID])).lines).toEqual([
      'srm://se3.example.org/vo/b.root /grid/vo/b.root',
      `${GUID} /grid/vo/a.root`,
    ]);
    const unknown = await svc.tool('glite-catalog-getlfn', ['guid:00000000-0000-4000-8000-000000000000', `guid:${GUID}`]);
    expect(unknown.code).toBe(1);
    expect(unknown.lines).toEqual([`guid:${GUID} /grid/vo/a.root`]);
    expect(unknown.stderr).toMatch(/^glite-catalog-getlfn: guid:00000000-0000-4000-8000-000000000000: .*\(NotExists\)\n$/);
    expect((await svc.tool('glite-catalog-getlfn', ['/grid/vo/a.root'])).code).toBe(2);
  });
});
