import { STARTUP_MS, startCliService, type CliTestService } from './cli-harness';

let svc: CliTestService;
beforeAll(async () => {
  svc = await startCliService();
  expect((await svc.tool('glite-catalog-create', ['-p', '/grid/vo/run1/a.root', '/grid/vo/run1/b.root', '/grid/vo/run1/sub/c.root'])).code).toBe(0);
}, STARTUP_MS);
afterAll(async () => svc.close());

const baseLines = async (lfn: string): Promise<string[]> =>
  (await svc.tool('glite-catalog-getacl', [lfn])).lines.filter((l) => /^(user|group|other)::/.test(l));

describe('chmod', () => {
  it('changes base rights clause by clause', async () => {
    expect((await svc.tool('glite-catalog-chmod', ['u=pdrwlxgs,g=rl,o=', '/grid/vo/run1/a.root'])).code).toBe(0);
    expect(await baseLines('/grid/vo/run1/a.root')).toEqual(['user::pdrwlxgs', 'group::rl', 'other::-']);
    expect((await svc.tool('glite-catalog-chmod', ['g+w-l,o+r', '/grid/vo/run1/a.root'])).code).toBe(0);
    expect(await baseLines('/grid/vo/run1/a.root')).toEqual(['user::pdrwlxgs', 'group::rw', 'other::r']);
  });

  it('applies to wildcard matches and, with -R, to everything below', async () => {
    // The owner keeps p (to change permissions again) and g (to read them back).
    expect((await svc.tool('glite-catalog-chmod', ['a=prlg', '/grid/vo/run1/?.root'])).code).toBe(0);
    expect(await baseLines('/grid/vo/run1/b.root')).toEqual(['user::prlg', 'group::prlg', 'other::prlg']);
    expect((await svc.tool('glite-catalog-chmod', ['-R', 'o=x', '/grid/vo/run1'])).code).toBe(0);
    for (const lfn of ['/grid/vo/run1', '/grid/vo/run1/a.root', '/grid/vo/run1/sub', '/grid/vo/run1/sub/c.root']) {
      expect((await baseLines(lfn))[2]).toBe('other::x');
    }
  });

  it('refuses a bad mode with exit 2 and reports missing entries with exit 1', async () => {
    const bad = await svc.tool('glite-catalog-chmod', ['u+q', '/grid/vo/run1/a.root']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad mode clause "u\+q"/);
    const missing = await svc.tool('glite-catalog-chmod', ['u+r', '/grid/vo/run1/a.root', '/grid/vo/nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^glite-catalog-chmod: \/grid\/vo\/nope: .*\(NotExists\)\n$/);
  });
});

describe('chkperm', () => {
  it('exits 0 when every right is held, 1 with the missing letters otherwise', async () => {
    expect((await svc.tool('glite-catalog-chkperm', ['rl', '/grid/vo/run1/a.root', '/grid/vo/run1/b.root'])).code).toBe(0);
    const run = await svc.tool('glite-catalog-chkperm', ['rw', '/grid/vo/run1/b.root']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('glite-catalog-chkperm: /grid/vo/run1/b.root: missing w (PermissionDenied)\n');
    expect((await svc.tool('glite-catalog-chkperm', ['-q', 'rw', '/grid/vo/run1/b.root'])).stderr).toBe('');
  });

  it('answers granted and denied rights with --json', async () => {
    const run = await svc.tool('glite-catalog-chkperm', ['--json', 'rwd', '/grid/vo/run1/b.root']);
    expect(JSON.parse(run.lines[0]!)).toMatchObject({ item: '/grid/vo/run1/b.root', ok: true, granted: ['read'], denied: expect.arrayContaining(['remove', 'write']) });
  });
});

describe('getacl, setacl, chown', () => {
  const bob = 'user:/DC=org/DC=example/CN=Bob:rl!w';
  it('adds, lists and removes ACL entries', async () => {
    expect((await svc.tool('glite-catalog-setacl', ['-m', bob, '-m', 'inherit:group:/vo/prod:rwl', '/grid/vo/run1/a.root'])).code).toBe(0);
    const acl = await svc.tool('glite-catalog-getacl', ['/grid/vo/run1/a.root']);
    expect(acl.lines).toEqual([
      '# lfn: /grid/vo/run1/a.root',
      '# owner: /DC=org/DC=example/CN=Test User',
      '# group: testers',
      'user::prlg',
      'group::prlg',
      'other::x',
      bob,
      'inherit:group:/vo/prod:rwl',
    ]);
    expect((await svc.tool('glite-catalog-setacl', ['-x', 'user:/DC=org/DC=example/CN=Bob', '/grid/vo/run1/a.root'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-getacl', ['/grid/vo/run1/a.root'])).lines.slice(6)).toEqual(['inherit:group:/vo/prod:rwl']);
  });

  it('replaces the whole ACL with --set, base rights included', async () => {
    expect((await svc.tool('glite-catalog-setacl', ['--set', bob, '--set', 'other::-', '/grid/vo/run1/a.root'])).code).toBe(0);
    expect((await svc.tool('glite-catalog-getacl', ['/grid/vo/run1/a.root'])).lines.slice(5)).toEqual(['other::-', bob]);
  });

  it('needs something to change, and well-formed entries', async () => {
    expect((await svc.tool('glite-catalog-setacl', ['/grid/vo/run1/a.root'])).code).toBe(2);
    expect((await svc.tool('glite-catalog-setacl', ['-m', 'bob:rl', '/grid/vo/run1/a.root'])).code).toBe(2);
  });

  it('changes the group; changing the owner is for administrators', async () => {
    expect((await svc.tool('glite-catalog-chown', [':testers', '/grid/vo/run1/b.root'])).code).toBe(0);
    const owner = await svc.tool('glite-catalog-chown', ['/DC=org/DC=example/CN=Bob', '/grid/vo/run1/b.root']);
    expect(owner.code).toBe(1);
    expect(owner.stderr).toMatch(/\(PermissionDenied\)\n$/);
  });
});
