import * as core from '../../src/core';
import type { AuditEvent, CatalogContext, Identity } from '../../src/core/context';
import { startTestCatalog, TEST_IDENTITY, type TestCatalog } from '../support/test-catalog';

const alice: Identity = { dn: '/DC=org/DC=test/CN=Alice', group: 'atlas', groups: ['atlas'] };
const bob: Identity = { dn: '/DC=org/DC=test/CN=Bob', group: 'atlas', groups: ['atlas'] };
const carol: Identity = { dn: '/DC=org/DC=test/CN=Carol', group: 'cms', groups: ['cms', '/cms/Role=production'] };
const dave: Identity = { dn: '/DC=org/DC=test/CN=Dave', group: 'atlas', groups: ['atlas'] };
const admin: Identity = { dn: '/DC=org/DC=test/CN=Admin', group: '', groups: [], admin: true };

type Outcome = 'ok' | string;

/** The error code of a single-item result, or 'ok'. */
function outcome(results: readonly core.Result<unknown>[]): Outcome {
  const [result] = results;
  if (!result) throw new Error('no result');
  return result.ok ? 'ok' : result.error.code;
}

async function caught(work: () => Promise<unknown>): Promise<Outcome> {
  try {
    await work();
    return 'ok';
  } catch (error) {
    if (error instanceof core.CatalogError) return error.code;
    throw error;
  }
}

describe('access control', () => {
  let catalog: TestCatalog;
  const audit: AuditEvent[] = [];
  const as = (identity: Identity): CatalogContext => ({ ...catalog.ctx, identity, audit: (e) => audit.push(e) });
  let counter = 0;

  beforeAll(async () => {
    catalog = await startTestCatalog();
    const root = as(TEST_IDENTITY);
    await core.makeDirectories(root, [{ lfn: '/m', parents: true }]);
    await core.setPermissions(root, [{ lfn: '/m', permission: { base: { other: ['read', 'list', 'execute'] } } }]);
    await core.createSchema(root, { name: 'acl_test', attributes: [{ name: 'quality', type: 'string' }] });
  });
  afterAll(() => catalog.close());

  const ALL = ['permission', 'remove', 'read', 'write', 'list', 'execute', 'getMetadata', 'setMetadata'] as const;
  const OPEN = { owner: [...ALL], group: [...ALL], other: [...ALL] };

  /**
   * A private corner for one case: /m/cN/D (a directory) holding F (a file with one replica), owned by
   * Alice in group atlas; /m/cN/open is open to all. The object under test gets exactly `bits` for the
   * group or for others, and an ACL entry denying the right to Dave; everything else is open.
   */
  async function corner(target: 'file' | 'dir', right: core.Right, grant: 'group' | 'other' | 'acl-user' | 'acl-group') {
    const base = `/m/c${++counter}`;
    const root = as(admin);
    await core.makeDirectories(root, [{ lfn: `${base}/D`, parents: true }, { lfn: `${base}/open`, parents: true }]);
    await core.createFiles(root, [
      { lfn: `${base}/D/F`, replicas: [{ surl: `srm://se.example.org/c${counter}/F` }] },
      { lfn: `${base}/open/G` },
    ]);
    for (const lfn of [base, `${base}/open`, `${base}/open/G`, `${base}/D`, `${base}/D/F`]) {
      await core.setPermissions(root, [{ lfn, permission: { owner: alice.dn, group: 'atlas', base: OPEN } }]);
    }
    const granted = [right] as string[];
    // A directory under test stays traversable, unless traversal is what is under test.
    const extra = target === 'dir' && right !== 'execute' ? ['execute'] : [];
    const object = target === 'dir' ? `${base}/D` : `${base}/D/F`;
    const acl = [
      { principal: dave.dn, kind: 'user' as const, deny: [right] },
      ...(grant === 'acl-user' ? [{ principal: carol.dn, kind: 'user' as const, allow: granted }] : []),
      ...(grant === 'acl-group' ? [{ principal: '/cms/Role=production', kind: 'group' as const, allow: granted }] : []),
    ];
    const results = await core.setPermissions(root, [
      {
        lfn: object,
        permission: {
          base: {
            owner: [...ALL],
            group: grant === 'group' ? [...granted, ...extra] : extra,
            other: grant === 'other' ? [...granted, ...extra] : extra,
          },
          acl,
        },
      },
    ]);
    expect(outcome(results)).toBe('ok');
    return { base, D: `${base}/D`, F: `${base}/D/F`, surl: `srm://se.example.org/c${counter}/F` };
  }

  type Corner = Awaited<ReturnType<typeof corner>>;
  const operations: [string, 'file' | 'dir', core.Right, (ctx: CatalogContext, c: Corner) => Promise<Outcome>][] = [
    ['stat a file', 'file', 'read', async (ctx, c) => outcome(await core.statEntries(ctx, [{ lfn: c.F }]))],
    ['list replicas of a file', 'file', 'read', async (ctx, c) => outcome(await core.listReplicas(ctx, [{ lfn: c.F }]))],
    ['look up a GUID by SURL', 'file', 'read', async (ctx, c) => outcome(await core.lookupGuids(ctx, [{ surl: c.surl }]))],
    ['add a replica', 'file', 'write', async (ctx, c) => outcome(await core.addReplicas(ctx, [{ lfn: c.F, surl: `${c.surl}-2` }]))],
    ['remove a replica', 'file', 'write', async (ctx, c) => outcome(await core.removeReplicas(ctx, [{ lfn: c.F, surl: c.surl }]))],
    ['read attributes', 'file', 'getMetadata', async (ctx, c) => outcome(await core.getAttributes(ctx, [{ lfn: c.F }]))],
    ['list attributes', 'file', 'getMetadata', async (ctx, c) => outcome(await core.listAttributes(ctx, [{ lfn: c.F }]))],
    ['set attributes', 'file', 'setMetadata', async (ctx, c) => outcome(await core.setAttributes(ctx, [{ lfn: c.F, attributes: { quality: 'good' } }]))],
    ['clear attributes', 'file', 'setMetadata', async (ctx, c) => outcome(await core.clearAttributes(ctx, [{ lfn: c.F, names: ['quality'] }]))],
    ['read permissions', 'file', 'getMetadata', async (ctx, c) => outcome(await core.getPermissions(ctx, [{ lfn: c.F }]))],
    [
      'change permissions',
      'file',
      'permission',
      async (ctx, c) => outcome(await core.setPermissions(ctx, [{ lfn: c.F, permission: { base: { other: ['read'] } }, mode: 'add' }])),
    ],
    ['list a directory', 'dir', 'list', (ctx, c) => caught(() => core.listDirectory(ctx, c.D))],
    ['traverse a directory', 'dir', 'execute', async (ctx, c) => outcome(await core.statEntries(ctx, [{ lfn: c.F }]))],
    ['create a file in a directory', 'dir', 'write', async (ctx, c) => outcome(await core.createFiles(ctx, [{ lfn: `${c.D}/new` }]))],
    ['make a directory in a directory', 'dir', 'write', async (ctx, c) => outcome(await core.makeDirectories(ctx, [{ lfn: `${c.D}/sub` }]))],
    ['make a symlink in a directory', 'dir', 'write', async (ctx, c) => outcome(await core.createSymlinks(ctx, [{ lfn: `${c.D}/ln`, target: c.F }]))],
    ['remove a file from a directory', 'dir', 'remove', async (ctx, c) => outcome(await core.removeEntries(ctx, [{ lfn: c.F }]))],
    ['move a file out of a directory', 'dir', 'remove', async (ctx, c) => outcome(await core.moveEntries(ctx, [{ from: c.F, to: `${c.base}/open/F` }]))],
    ['move a file into a directory', 'dir', 'write', async (ctx, c) => outcome(await core.moveEntries(ctx, [{ from: `${c.base}/open/G`, to: `${c.D}/G` }]))],
  ];

  describe.each(operations)('%s (needs %s on the %s)', (_name, target, right, run) => {
    it('is allowed to the owner and to group members, refused to others and to a denied member', async () => {
      const c = await corner(target, right, 'group');
      expect(await run(as(carol), c)).toBe('PermissionDenied');
      expect(await run(as(dave), c)).toBe('PermissionDenied');
      expect(await run(as(bob), c)).toBe('ok');
      const fresh = await corner(target, right, 'group');
      expect(await run(as(alice), fresh)).toBe('ok');
    });

    it('is allowed to everyone by the other rights, except to whom an ACL entry denies it', async () => {
      const c = await corner(target, right, 'other');
      expect(await run(as(dave), c)).toBe('PermissionDenied');
      expect(await run(as(carol), c)).toBe('ok');
    });

    it('is allowed by an ACL entry naming the user, or one of its groups (a VOMS FQAN)', async () => {
      expect(await run(as(carol), await corner(target, right, 'acl-user'))).toBe('ok');
      expect(await run(as(carol), await corner(target, right, 'acl-group'))).toBe('ok');
    });

    it('is allowed to an administrator, and the bypass is audited', async () => {
      const c = await corner(target, right, 'group');
      audit.length = 0;
      expect(await run(as({ ...admin, dn: '/CN=Other Admin' }), c)).toBe('ok');
      expect(audit.some((e) => e.action.startsWith('admin-bypass') && e.actor === '/CN=Other Admin')).toBe(true);
    });
  });

  describe('inheritance', () => {
    it('copies inheritable ACL entries to new files and directories, down a mkdir -p chain', async () => {
      const ctx = as(TEST_IDENTITY);
      await core.makeDirectories(ctx, [{ lfn: '/m/inh', parents: true }]);
      await core.setPermissions(ctx, [
        {
          lfn: '/m/inh',
          permission: {
            acl: [
              { principal: 'atlas', kind: 'group', allow: ['read', 'list', 'execute'], inherit: true },
              { principal: carol.dn, kind: 'user', allow: ['write'], inherit: false },
            ],
          },
        },
      ]);
      await core.makeDirectories(ctx, [{ lfn: '/m/inh/a/b', parents: true }]);
      await core.createFiles(ctx, [{ lfn: '/m/inh/a/b/f' }]);
      const permissions = await core.getPermissions(ctx, [{ lfn: '/m/inh/a' }, { lfn: '/m/inh/a/b/f' }]);
      for (const p of permissions) {
        if (!p.ok) throw p.error;
        expect(core.describePermission(p.value).acl).toEqual([
          { principal: 'atlas', kind: 'group', allow: ['read', 'list', 'execute'], deny: [], inherit: true },
        ]);
        expect(core.describePermission(p.value).base).toEqual({
          owner: [...ALL],
          group: ['read', 'list'],
          other: [],
        });
      }
      expect(outcome(await core.statEntries(as(bob), [{ lfn: '/m/inh/a/b/f' }]))).toBe('ok');
    });
  });

  it('lets deny win over allow whatever the order of entries', async () => {
    const ctx = as(TEST_IDENTITY);
    await core.makeDirectories(ctx, [{ lfn: '/m/deny', parents: true }]);
    await core.createFiles(ctx, [{ lfn: '/m/deny/f' }]);
    await core.setPermissions(ctx, [
      { lfn: '/m/deny', permission: { base: { other: ['execute'] } } },
      {
        lfn: '/m/deny/f',
        permission: {
          base: { other: ['read'] },
          acl: [
            { principal: bob.dn, kind: 'user', allow: ['read', 'write'] },
            { principal: 'atlas', kind: 'group', deny: ['read'] },
          ],
        },
      },
    ]);
    expect(outcome(await core.statEntries(as(bob), [{ lfn: '/m/deny/f' }]))).toBe('PermissionDenied');
    expect(outcome(await core.statEntries(as(carol), [{ lfn: '/m/deny/f' }]))).toBe('ok');
    const [check] = await core.checkPermissions(as(bob), [{ lfn: '/m/deny/f', rights: ['read', 'write'] }]);
    expect(check).toMatchObject({ ok: true, value: { granted: ['write'], denied: ['read'] } });
  });

  describe('a private directory', () => {
    let guid: string;
    beforeAll(async () => {
      const ctx = as(TEST_IDENTITY);
      await core.makeDirectories(ctx, [{ lfn: '/m/private', parents: true }, { lfn: '/m/public', parents: true }]);
      const [f] = await core.createFiles(ctx, [{ lfn: '/m/private/secret', size: 42, replicas: [{ surl: 'srm://priv.example.org/secret' }] }]);
      if (!f?.ok) throw new Error('setup');
      guid = (f.value as core.FileEntry).guid;
      await core.setPermissions(ctx, [
        { lfn: '/m/public', permission: { base: { other: ['read', 'list', 'execute', 'write'] } } },
        { lfn: '/m/private/secret', permission: { base: { other: ['read'] } } },
      ]);
      await core.createSymlinks(ctx, [{ lfn: '/m/public/door', target: '/m/private/secret' }]);
      await core.createSymlinks(ctx, [{ lfn: '/m/public/hall', target: '/m/private' }]);
    });

    it('cannot be entered through a symlink: the link is visible, never the data behind it', async () => {
      expect(outcome(await core.statEntries(as(carol), [{ lfn: '/m/public/door' }]))).toBe('PermissionDenied');
      expect(outcome(await core.statEntries(as(carol), [{ lfn: '/m/public/hall/secret' }]))).toBe('PermissionDenied');
      expect(outcome(await core.listReplicas(as(carol), [{ lfn: '/m/public/door' }]))).toBe('PermissionDenied');
      expect(outcome(await core.statEntries(as(carol), [{ lfn: '/m/public/door', follow: false }]))).toBe('ok');
    });

    it('cannot be entered by GUID or SURL either: they answer as if nobody had registered them', async () => {
      expect(outcome(await core.listReplicas(as(carol), [{ guid }]))).toBe('NotExists');
      expect(outcome(await core.lookupGuids(as(carol), [{ surl: 'srm://priv.example.org/secret' }]))).toBe('NotExists');
      const page = await core.listSeReplicas(as(carol), 'priv.example.org');
      expect(page.items).toHaveLength(0);
      expect((await core.listSeReplicas(as(TEST_IDENTITY), 'priv.example.org')).items).toHaveLength(1);
    });

    it('never shows up in metadata queries or counts', async () => {
      const owner = as(TEST_IDENTITY);
      await core.createFiles(owner, [{ lfn: '/m/public/visible' }, { lfn: '/m/public/unreadable' }]);
      // A query reads metadata: it needs getMetadata as well as read.
      await core.setPermissions(owner, [{ lfn: '/m/public/visible', permission: { base: { other: ['read', 'getMetadata'] } } }]);
      const tagged = await core.setAttributes(owner, [
        { lfn: '/m/private/secret', attributes: { quality: 'hidden' } },
        { lfn: '/m/public/visible', attributes: { quality: 'hidden' } },
        { lfn: '/m/public/unreadable', attributes: { quality: 'hidden' } },
      ]);
      expect(tagged.every((r) => r.ok)).toBe(true);
      const request = { query: "quality = 'hidden'" };
      expect((await core.queryEntries(owner, request)).items.map((e) => e.lfn)).toEqual(['/m/private/secret', '/m/public/unreadable', '/m/public/visible']);
      expect((await core.queryEntries(as(carol), request)).items.map((e) => e.lfn)).toEqual(['/m/public/visible']);
      const streamed: string[] = [];
      for await (const e of core.streamEntries(as(carol), request)) streamed.push(e.lfn);
      expect(streamed).toEqual(['/m/public/visible']);
      expect(await core.countEntries(as(carol), { query: "quality = 'hidden'", under: '/m/public' })).toBe(1);
      expect(await core.countEntries(owner, request)).toBe(3);
      expect(await caught(() => core.queryEntries(as(carol), { ...request, under: '/m/private' }))).toBe('PermissionDenied');
    });

    it('does not tell whether a name exists inside it', async () => {
      expect(outcome(await core.statEntries(as(carol), [{ lfn: '/m/private/nothing-here' }]))).toBe('PermissionDenied');
      expect(outcome(await core.createFiles(as(carol), [{ lfn: '/m/private/new' }]))).toBe('PermissionDenied');
    });

    it('cannot be emptied recursively by someone who may remove its parent entry only', async () => {
      const ctx = as(TEST_IDENTITY);
      await core.makeDirectories(ctx, [{ lfn: '/m/tree/keep/inner', parents: true }]);
      await core.setPermissions(ctx, [
        { lfn: '/m/tree', permission: { base: { other: ['read', 'list', 'execute', 'remove'] } } },
        { lfn: '/m/tree/keep', permission: { base: { other: ['read', 'list', 'execute'] } } },
      ]);
      expect(outcome(await core.removeEntries(as(carol), [{ lfn: '/m/tree/keep', recursive: true }]))).toBe('PermissionDenied');
      expect(outcome(await core.statEntries(ctx, [{ lfn: '/m/tree/keep/inner' }]))).toBe('ok');
    });
  });

  describe('owner and group changes', () => {
    beforeAll(async () => {
      const ctx = as(admin);
      await core.makeDirectories(ctx, [{ lfn: '/m/own', parents: true }]);
      await core.createFiles(ctx, [{ lfn: '/m/own/f' }]);
      await core.setPermissions(ctx, [
        { lfn: '/m/own', permission: { base: { other: ['read', 'list', 'execute'] } } },
        { lfn: '/m/own/f', permission: { owner: alice.dn, group: 'atlas' } },
      ]);
    });

    it('refuses an owner giving an entry away; an administrator may', async () => {
      expect(outcome(await core.changeOwners(as(alice), [{ lfn: '/m/own/f', owner: bob.dn }]))).toBe('PermissionDenied');
      expect(outcome(await core.changeOwners(as(admin), [{ lfn: '/m/own/f', owner: alice.dn, group: 'atlas' }]))).toBe('ok');
    });

    it('lets the owner move an entry to a group the owner is in, and no other', async () => {
      const inGroups: Identity = { ...alice, groups: ['atlas', 'atlas-prod'] };
      expect(outcome(await core.changeOwners(as(inGroups), [{ lfn: '/m/own/f', group: 'atlas-prod' }]))).toBe('ok');
      expect(outcome(await core.changeOwners(as(inGroups), [{ lfn: '/m/own/f', group: 'cms' }]))).toBe('PermissionDenied');
      expect(outcome(await core.changeOwners(as(bob), [{ lfn: '/m/own/f', group: 'atlas' }]))).toBe('PermissionDenied');
      const [stat] = await core.statEntries(as(alice), [{ lfn: '/m/own/f' }]);
      expect(stat).toMatchObject({ ok: true, value: { owner: alice.dn, group: 'atlas-prod' } });
    });

    it('audits every permission change', async () => {
      audit.length = 0;
      await core.setPermissions(as(alice), [{ lfn: '/m/own/f', permission: { base: { other: ['read'] } }, mode: 'add' }]);
      expect(audit).toEqual([expect.objectContaining({ action: 'set-permission', actor: alice.dn, lfn: '/m/own/f' })]);
    });
  });

  it('turns every check off when authorization is disabled (for measuring their cost)', async () => {
    const ctx = as(TEST_IDENTITY);
    await core.makeDirectories(ctx, [{ lfn: '/m/off', parents: true }]);
    await core.createFiles(ctx, [{ lfn: '/m/off/f' }]);
    const off: CatalogContext = { ...as(carol), authorization: 'disabled' };
    expect(outcome(await core.statEntries(as(carol), [{ lfn: '/m/off/f' }]))).toBe('PermissionDenied');
    expect(outcome(await core.statEntries(off, [{ lfn: '/m/off/f' }]))).toBe('ok');
  });
});
