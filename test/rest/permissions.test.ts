import { bulk, codes, startTestCatalog, TEST_IDENTITY, type TestCatalog } from '../support/test-catalog';

describe('permissions over REST', () => {
  let catalog: TestCatalog;

  beforeAll(async () => {
    catalog = await startTestCatalog();
    await bulk(catalog.app, '/api/v1/directories', [{ lfn: '/perm/dir', parents: true }]);
    await bulk(catalog.app, '/api/v1/files', [{ lfn: '/perm/dir/f' }]);
  });
  afterAll(() => catalog.close());

  it('shows the owner, group, base rights by name and the ACL', async () => {
    const [result] = await bulk(catalog.app, '/api/v1/permissions/get', [{ lfn: '/perm/dir/f' }]);
    expect(result).toEqual({
      ok: true,
      permission: {
        owner: TEST_IDENTITY.dn,
        group: TEST_IDENTITY.group,
        base: {
          owner: ['permission', 'remove', 'read', 'write', 'list', 'execute', 'getMetadata', 'setMetadata'],
          group: ['read', 'list'],
          other: [],
        },
        acl: [],
      },
    });
  });

  it('replaces, adds and removes ACL entries and base rights', async () => {
    const acl = [{ principal: '/DC=org/DC=test/CN=Bob', kind: 'user', allow: ['read', 'write'], deny: ['remove'], inherit: true }];
    const [replaced] = await bulk(catalog.app, '/api/v1/permissions/set', [{ lfn: '/perm/dir', permission: { acl, base: { other: ['execute'] } } }]);
    expect(replaced).toMatchObject({ ok: true, permission: { acl, base: { other: ['execute'] } } });
    const [added] = await bulk(catalog.app, '/api/v1/permissions/set', [
      { lfn: '/perm/dir', mode: 'add', permission: { acl: [{ principal: '/atlas/Role=production', kind: 'group', allow: ['list'] }], base: { other: ['list'] } } },
    ]);
    expect(added).toMatchObject({ ok: true, permission: { base: { other: ['list', 'execute'] } } });
    expect((added as unknown as { permission: { acl: unknown[] } }).permission.acl).toHaveLength(2);
    const [removed] = await bulk(catalog.app, '/api/v1/permissions/set', [
      { lfn: '/perm/dir', mode: 'remove', permission: { acl: [{ principal: '/DC=org/DC=test/CN=Bob', kind: 'user' }] } },
    ]);
    expect(removed).toMatchObject({ ok: true, permission: { acl: [{ principal: '/atlas/Role=production', kind: 'group' }] } });
  });

  it('reports which rights the caller holds', async () => {
    const [check] = await bulk(catalog.app, '/api/v1/permissions/check', [{ lfn: '/perm/dir/f', rights: ['read', 'permission'] }]);
    expect(check).toEqual({ ok: true, lfn: '/perm/dir/f', granted: ['permission', 'read'], denied: [] });
  });

  it('changes the group as owner, and refuses giving the entry to another owner', async () => {
    const results = await bulk(catalog.app, '/api/v1/entries/chown', [
      { lfn: '/perm/dir/f', group: TEST_IDENTITY.group },
      { lfn: '/perm/dir/f', owner: '/DC=org/DC=test/CN=Somebody Else' },
      { lfn: '/perm/dir/f', group: 'a-group-i-am-not-in' },
      { lfn: '/perm/nope' },
    ]);
    expect(codes(results)).toEqual(['ok', 'PermissionDenied', 'PermissionDenied', 'InvalidArgument']);
  });

  it('refuses unknown rights and malformed ACL entries as a whole request', async () => {
    const request = (await import('supertest')).default;
    const res = await request(catalog.app)
      .post('/api/v1/permissions/set')
      .send({ items: [{ lfn: '/perm/dir', permission: { acl: [{ principal: 'x', kind: 'robot', allow: ['fly'] }] } }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'InvalidArgument' });
  });
});
