import { requestsDuring, STARTUP_MS, startCliService, type CliTestService } from './cli-harness';

let svc: CliTestService;
beforeAll(async () => {
  svc = await startCliService();
  const made = await svc.tool('glite-catalog-mkdir', ['-p', '/grid/vo/run1', '/grid/vo/run2', '/grid/vo/empty']);
  expect(made.code).toBe(0);
  const created = await svc.tool('glite-catalog-create', [
    '--size',
    '1048576',
    '--checksum',
    'adler32:9600001',
    '--surl',
    'srm://se1.example.org/vo/run1/a.root',
    '/grid/vo/run1/a.root',
  ]);
  expect(created).toMatchObject({ code: 0, stderr: '' });
  expect((await svc.tool('glite-catalog-create', ['/grid/vo/run1/b.root', '/grid/vo/run1/c.txt', '/grid/vo/run2/a.root'])).code).toBe(0);
}, STARTUP_MS);
afterAll(async () => svc.close());

describe('mkdir and create', () => {
  it('refuses an existing directory without -p, and reports it on stderr with exit 1', async () => {
    const run = await svc.tool('glite-catalog-mkdir', ['/grid/vo/run1', '/grid/vo/run3']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^glite-catalog-mkdir: \/grid\/vo\/run1: .* \(Exists\)\n$/);
    expect((await svc.tool('glite-catalog-stat', ['/grid/vo/run3'])).code).toBe(0);
  });

  it('makes missing parents with create -p and prints the GUIDs with -v', async () => {
    const run = await svc.tool('glite-catalog-create', ['-p', '-v', '--guid', 'guid:6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c', '/grid/vo/new/deep/x.root']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('/grid/vo/new/deep/x.root guid:6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c\n');
  });

  it('refuses --guid for several files and a bad checksum as usage errors (exit 2), before any request', async () => {
    const requests = await requestsDuring(svc, async () => {
      expect((await svc.tool('glite-catalog-create', ['--guid', 'guid:6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8d', '/grid/a', '/grid/b'])).code).toBe(2);
      expect((await svc.tool('glite-catalog-create', ['--checksum', 'crc32:1', '/grid/a'])).code).toBe(2);
    });
    expect(requests).toEqual([]);
  });
});

describe('ls', () => {
  it('lists a directory by name, and several under headers', async () => {
    expect((await svc.tool('glite-catalog-ls', ['/grid/vo/run1'])).lines).toEqual(['a.root', 'b.root', 'c.txt']);
    const two = await svc.tool('glite-catalog-ls', ['/grid/vo/run1', 'lfn:///grid/vo/run2']);
    expect(two.stdout).toBe('/grid/vo/run1:\na.root\nb.root\nc.txt\n\n/grid/vo/run2:\na.root\n');
  });

  it('gives kind, your rights, owner, group, size, mtime and GUID with -l', async () => {
    const [line] = (await svc.tool('glite-catalog-ls', ['-l', '/grid/vo/run1/a.root'])).lines;
    expect(line).toMatch(/^- pdrwlxgs \/DC=org\/DC=example\/CN=Test User testers 1048576 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ [0-9a-f-]{36} \/grid\/vo\/run1\/a\.root$/);
  });

  it('shows the rights the caller holds as the eight letters, a - for each one missing', async () => {
    expect((await svc.tool('glite-catalog-mkdir', ['-p', '/grid/vo/rights'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-create', ['/grid/vo/rights/readonly'])).code).toBe(0);
    // The owner keeps only read and getMetadata: the column is what the caller may do, not the owner's full mask.
    expect((await svc.tool('glite-catalog-chmod', ['u=rg,g=,o=', '/grid/vo/rights/readonly'])).code).toBe(0);
    const [line] = (await svc.tool('glite-catalog-ls', ['-l', '/grid/vo/rights'])).lines;
    expect(line!.split(' ').slice(0, 2)).toEqual(['-', '--r---g-']);
  });

  it('sorts names naturally by default (f1 f2 f10 f1001 f10001), in byte order with --sort=name', async () => {
    const names = ['f10001', 'f1001', 'f10', 'f2', 'f1'];
    expect((await svc.tool('glite-catalog-create', ['-p', ...names.map((n) => `/grid/vo/natural/${n}`)])).code).toBe(0);
    expect((await svc.tool('glite-catalog-ls', ['/grid/vo/natural'])).lines).toEqual(['f1', 'f2', 'f10', 'f1001', 'f10001']);
    expect((await svc.tool('glite-catalog-ls', ['-l', '/grid/vo/natural'])).lines.map((l) => l.split(' ').at(-1))).toEqual(['f1', 'f2', 'f10', 'f1001', 'f10001']);
    expect((await svc.tool('glite-catalog-ls', ['--sort=name', '/grid/vo/natural'])).lines).toEqual(['f1', 'f10', 'f10001', 'f1001', 'f2']);
    expect((await svc.tool('glite-catalog-ls', ['--sort=size', '/grid/vo/natural'])).code).toBe(2);
  });

  it('shows a directory itself with -d, and walks the tree with -R', async () => {
    expect((await svc.tool('glite-catalog-ls', ['-d', '/grid/vo/run1'])).lines).toEqual(['/grid/vo/run1']);
    const tree = await svc.tool('glite-catalog-ls', ['-R', '/grid/vo/new']);
    expect(tree.stdout).toBe('/grid/vo/new:\ndeep\n\n/grid/vo/new/deep:\nx.root\n');
  });

  it('prints entries as JSON lines with --json', async () => {
    const run = await svc.tool('glite-catalog-ls', ['--json', '/grid/vo/run1']);
    const entries = run.lines.map((l) => JSON.parse(l) as { lfn: string; kind: string; size?: number });
    expect(entries.map((e) => e.lfn)).toEqual(['/grid/vo/run1/a.root', '/grid/vo/run1/b.root', '/grid/vo/run1/c.txt']);
    expect(entries[0]).toMatchObject({ kind: 'file', size: 1048576, checksum: { type: 'adler32', value: '09600001' } });
  });

  it('lists the rest and exits 1 when one argument does not exist', async () => {
    const run = await svc.tool('glite-catalog-ls', ['/grid/vo/nope', '/grid/vo/run2']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('/grid/vo/run2:\na.root\n');
    // The item leads the line; the service's message names it too, and that repetition is dropped.
    expect(run.stderr).toBe('glite-catalog-ls: /grid/vo/nope: no such entry (NotExists)\n');
    const lfnForm = await svc.tool('glite-catalog-stat', ['lfn:///grid/vo/nope']);
    expect(lfnForm.stderr).toBe('glite-catalog-stat: lfn:///grid/vo/nope: no such entry (NotExists)\n');
  });
});

describe('wildcards', () => {
  it('expand with one listing of the directory, then act in one bulk request', async () => {
    let run: Awaited<ReturnType<CliTestService['tool']>> | undefined;
    const requests = await requestsDuring(svc, async () => {
      run = await svc.tool('glite-catalog-ls', ['-l', '/grid/vo/run1/*.root']);
    });
    expect(run!.lines.map((l) => l.split(' ').at(-1))).toEqual(['/grid/vo/run1/a.root', '/grid/vo/run1/b.root']);
    // -l asks the caller's rights on the matches in one bulk check.
    expect(requests).toEqual(['GET /api/v1/directories/entries?lfn=%2Fgrid%2Fvo%2Frun1', 'POST /api/v1/permissions/check']);
  });

  it('cost one listing per pattern directory however many entries match, and one bulk call for all of them', async () => {
    const many = Array.from({ length: 300 }, (_, i) => `/grid/vo/many/f${String(i).padStart(3, '0')}`);
    expect((await svc.tool('glite-catalog-create', ['-p', ...many])).code).toBe(0);
    const requests = await requestsDuring(svc, async () => {
      const run = await svc.tool('glite-catalog-getguid', ['/grid/vo/many/f1*', '/grid/vo/many/f2?9']);
      expect(run.code).toBe(0);
      expect(run.lines).toHaveLength(100 + 10);
    });
    expect(requests).toEqual(['GET /api/v1/directories/entries?lfn=%2Fgrid%2Fvo%2Fmany', 'POST /api/v1/guids/lookup']);
  });

  it('walk inner components level by level', async () => {
    const run = await svc.tool('glite-catalog-ls', ['/grid/*/run?/a.root']);
    expect(run.lines).toEqual(['/grid/vo/run1/a.root', '/grid/vo/run2/a.root']);
  });

  it('report a pattern that matches nothing as a failed item', async () => {
    const run = await svc.tool('glite-catalog-ls', ['/grid/vo/run1/*.nothing', '/grid/vo/run2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('glite-catalog-ls: /grid/vo/run1/*.nothing: no match (NotExists)\n');
    expect(run.lines).toEqual(['/grid/vo/run2:', 'a.root']);
  });

  it('are literal when escaped', async () => {
    const run = await svc.tool('glite-catalog-ls', ['/grid/vo/run1/\\*']);
    expect(run.stderr).toMatch(/\/grid\/vo\/run1\/\\\*: no such entry: \/grid\/vo\/run1\/\* \(NotExists\)/);
  });
});

describe('stat, symlink, mv, rm, rmdir', () => {
  it('describes entries, through links unless --no-follow', async () => {
    expect((await svc.tool('glite-catalog-symlink', ['/grid/vo/run1/a.root', '/grid/vo/latest'])).code).toBe(0);
    const run = await svc.tool('glite-catalog-stat', ['/grid/vo/latest']);
    expect(run.stdout).toContain('Kind:     file\n');
    // Every value starts in one column.
    expect(new Set(run.lines.map((l) => /^\S+:\s+/.exec(l)![0].length))).toEqual(new Set([10]));
    expect(run.stdout).toContain('Checksum: adler32:09600001\n');
    const link = await svc.tool('glite-catalog-stat', ['--no-follow', '--json', '/grid/vo/latest']);
    expect(JSON.parse(link.stdout)).toMatchObject({ item: '/grid/vo/latest', ok: true, entry: { kind: 'symlink', target: '/grid/vo/run1/a.root' } });
  });

  it('makes links into a directory, named as their targets', async () => {
    expect((await svc.tool('glite-catalog-mkdir', ['/grid/vo/links'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-symlink', ['/grid/vo/run1/*.root', '/grid/vo/links'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-ls', ['-l', '/grid/vo/links'])).lines.map((l) => l.replace(/^.* (\S+ -> \S+)$/, '$1'))).toEqual([
      'a.root -> /grid/vo/run1/a.root',
      'b.root -> /grid/vo/run1/b.root',
    ]);
    expect((await svc.tool('glite-catalog-symlink', ['/grid/vo/run1/a.root', '/grid/vo/run1/b.root', '/grid/vo/nodir'])).code).toBe(2);
  });

  it('renames, and moves several entries into a directory', async () => {
    expect((await svc.tool('glite-catalog-mv', ['/grid/vo/run2', '/grid/vo/run-002'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-ls', ['/grid/vo/run-002'])).lines).toEqual(['a.root']);
    expect((await svc.tool('glite-catalog-mkdir', ['/grid/vo/moved'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-mv', ['/grid/vo/many/f00?', '/grid/vo/moved'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-ls', ['/grid/vo/moved'])).lines).toHaveLength(10);
  });

  it('removes files but not directories without -r; rmdir only empty directories', async () => {
    const rm = await svc.tool('glite-catalog-rm', ['/grid/vo/moved/f000', '/grid/vo/moved']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toBe('glite-catalog-rm: /grid/vo/moved: is a directory (use -r, or rmdir) (IsADirectory)\n');
    expect((await svc.tool('glite-catalog-rmdir', ['/grid/vo/moved', '/grid/vo/empty', '/grid/vo/run1/a.root'])).stderr.split('\n').filter(Boolean)).toEqual([
      'glite-catalog-rmdir: /grid/vo/run1/a.root: not a directory (NotADirectory)',
      expect.stringMatching(/^glite-catalog-rmdir: \/grid\/vo\/moved: .* \(NotEmpty\)$/),
    ]);
    expect((await svc.tool('glite-catalog-rm', ['-R', '/grid/vo/moved'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-ls', ['-d', '/grid/vo/moved', '/grid/vo/empty'])).code).toBe(1);
  });

  it('removes what a pattern matches in one bulk call', async () => {
    const requests = await requestsDuring(svc, async () => expect((await svc.tool('glite-catalog-rm', ['/grid/vo/many/*'])).code).toBe(0));
    expect(requests).toEqual(['GET /api/v1/directories/entries?lfn=%2Fgrid%2Fvo%2Fmany', 'POST /api/v1/entries/remove']);
    expect((await svc.tool('glite-catalog-ls', ['/grid/vo/many'])).lines).toEqual([]);
  });
});
