import type { Client } from 'soap';
import type { Identity } from '../../src/core/context';
import * as core from '../../src/core';
import { TEST_IDENTITY } from '../support/test-catalog';
import { asArray, call, expectFault, list, startSoapService, type SoapTestService, switchableCaller } from './soap-harness';

type Struct = Record<string, unknown>;

const OTHER: Identity = { dn: '/DC=org/DC=example/CN=Other User', group: 'others', groups: [] };
const RIGHTS = ['permission', 'remove', 'read', 'write', 'list', 'execute', 'getMetadata', 'setMetadata'];
/** A Perm struct, flags in the WSDL's order. */
const perm = (...rights: string[]) => Object.fromEntries(RIGHTS.map((r) => [r, rights.includes(r)]));
/** A Perm as the client decodes it (booleans as text). */
const shown = (...rights: string[]) => Object.fromEntries(RIGHTS.map((r) => [r, String(rights.includes(r))]));

let svc: SoapTestService;
let fireman: Client;
const caller = switchableCaller(TEST_IDENTITY);
const as = caller.as;

beforeAll(async () => {
  svc = await startSoapService({}, { identify: caller.identify });
  fireman = await svc.client('FiremanCatalog');
  await call(fireman, 'mkdir', { directories: list('/grid/vo/p'), createParents: true, copyPermFromParent: false });
  await call(fireman, 'create', { entries: list(...['f1', 'f2', 'f3', 'f4'].map((n) => ({ lfn: `/grid/vo/p/${n}`, guid: null }))) });
  // Everyone may traverse the way down to the files (so that OTHER meets the files' own rights).
  const traverse = { userPerm: perm(...RIGHTS), groupPerm: perm('read', 'list', 'execute'), otherPerm: perm('execute', 'list') };
  await call(fireman, 'setPermission', {
    permissions: list(...['/', '/grid', '/grid/vo', '/grid/vo/p'].map((item) => ({ item, permission: traverse }))),
  });
});
afterAll(async () => svc.close());

const getPermission = async (...items: string[]) =>
  asArray(((await call(fireman, 'getPermission', { items: list(...items) })) as { item?: Struct | Struct[] } | undefined)?.item);

describe('getPermission', () => {
  it('gives owner, group, base rights and ACL of each item, keyed as sent', async () => {
    const [entry] = await getPermission('/grid/vo/p/f1');
    expect(entry).toMatchObject({
      item: '/grid/vo/p/f1',
      permission: { userName: TEST_IDENTITY.dn, groupName: 'testers', userPerm: shown(...RIGHTS), groupPerm: shown('read', 'list'), otherPerm: shown() },
    });
    expect((entry!.permission as Struct).acl).toBeUndefined();
  });

  it('faults NotExists for an unknown item', async () => {
    expect((await expectFault(getPermission('/grid/vo/p/f1', '/grid/vo/p/none'))).name).toBe('NotExistsException');
  });
});

describe('setPermission', () => {
  it('replaces base rights and the ACL; DN principals are users, FQANs and names groups', async () => {
    await call(fireman, 'setPermission', {
      permissions: list({
        item: '/grid/vo/p/f1',
        permission: {
          userPerm: perm(...RIGHTS),
          groupPerm: perm('read'),
          otherPerm: perm('list'),
          acl: [
            { principalPerm: perm('read', 'write'), principal: OTHER.dn },
            { principalPerm: perm('read'), principal: '/vo/Role=production' },
          ],
        },
      }),
    });
    const [entry] = await getPermission('/grid/vo/p/f1');
    expect(entry!.permission).toMatchObject({
      userName: TEST_IDENTITY.dn,
      groupPerm: shown('read'),
      otherPerm: shown('list'),
      acl: [
        { principalPerm: shown('read', 'write'), principal: OTHER.dn },
        { principalPerm: shown('read'), principal: '/vo/Role=production' },
      ],
    });
    const [stored] = await core.getPermissions(svc.catalog.ctx, [{ lfn: '/grid/vo/p/f1' }]);
    expect(stored!.ok && stored!.value.acl.map((e) => [e.principal, e.kind])).toEqual([
      [OTHER.dn, 'user'],
      ['/vo/Role=production', 'group'],
    ]);
  });

  it('keeps deny entries, which Fireman cannot express, when it replaces the allows', async () => {
    const denied = '/DC=org/DC=example/CN=Denied';
    await core.setPermissions(svc.catalog.ctx, [
      {
        lfn: '/grid/vo/p/f2',
        mode: 'replace',
        permission: { acl: [{ principal: denied, kind: 'user', allow: ['list'], deny: ['read'] }, { principal: 'gone', kind: 'group', allow: ['read'] }] },
      },
    ]);
    await call(fireman, 'setPermission', {
      permissions: list({ item: '/grid/vo/p/f2', permission: { acl: [{ principalPerm: perm('write'), principal: OTHER.dn }] } }),
    });
    const [stored] = await core.getPermissions(svc.catalog.ctx, [{ lfn: '/grid/vo/p/f2' }]);
    expect(stored!.ok && core.describePermission(stored!.value).acl).toEqual([
      { principal: OTHER.dn, kind: 'user', allow: ['write'], deny: [], inherit: false },
      { principal: denied, kind: 'user', allow: [], deny: ['read'], inherit: false },
    ]);
    // The deny-only entry is not shown over SOAP; only the allow entry is.
    const [entry] = await getPermission('/grid/vo/p/f2');
    expect(asArray((entry!.permission as Struct).acl as Struct[])).toEqual([{ principalPerm: shown('write'), principal: OTHER.dn }]);
  });

  it('applies no item of a call with a missing item, and refuses a nil permission', async () => {
    const fault = await expectFault(
      call(fireman, 'setPermission', {
        permissions: list({ item: '/grid/vo/p/f3', permission: { otherPerm: perm(...RIGHTS) } }, { item: '/grid/vo/p/none', permission: { otherPerm: perm() } }),
      }),
    );
    expect(fault.name).toBe('NotExistsException');
    expect(fault.message).toMatch(/^item 2 of 2/);
    expect(((await getPermission('/grid/vo/p/f3'))[0]!.permission as Struct).otherPerm).toEqual(shown());
    const nil = await expectFault(call(fireman, 'setPermission', { permissions: list({ item: '/grid/vo/p/f3' }) }));
    expect(nil.name).toBe('InvalidArgumentException');
  });

  it('refuses a caller without the permission right (AuthorizationException)', async () => {
    const fault = await as(OTHER, () =>
      expectFault(call(fireman, 'setPermission', { permissions: list({ item: '/grid/vo/p/f4', permission: { otherPerm: perm(...RIGHTS) } }) })),
    );
    expect(fault.name).toBe('AuthorizationException');
    expect(((await getPermission('/grid/vo/p/f4'))[0]!.permission as Struct).otherPerm).toEqual(shown());
  });

  it('lets a caller holding the permission right through an ACL change it, but not give the entry away', async () => {
    await call(fireman, 'setPermission', {
      permissions: list({ item: '/grid/vo/p/f4', permission: { acl: [{ principalPerm: perm('permission', 'getMetadata'), principal: OTHER.dn }] } }),
    });
    await as(OTHER, () =>
      call(fireman, 'setPermission', {
        permissions: list({ item: '/grid/vo/p/f4', permission: { otherPerm: perm('read'), acl: [{ principalPerm: perm('permission', 'getMetadata'), principal: OTHER.dn }] } }),
      }),
    );
    expect(((await getPermission('/grid/vo/p/f4'))[0]!.permission as Struct).otherPerm).toEqual(shown('read'));
    const away = await as(OTHER, () =>
      expectFault(call(fireman, 'setPermission', { permissions: list({ item: '/grid/vo/p/f4', permission: { userName: OTHER.dn } }) })),
    );
    expect(away.name).toBe('AuthorizationException');
  });
});

describe('checkPermission', () => {
  it('passes when every item grants every asked right', async () => {
    await call(fireman, 'checkPermission', { items: list('/grid/vo/p/f1', '/grid/vo/p/f3'), perm: perm('read', 'write', 'permission') });
    await as(OTHER, () => call(fireman, 'checkPermission', { items: list('/grid/vo/p/f1'), perm: perm('read', 'write') }));
  });

  it('faults AuthorizationException naming the item and the missing rights', async () => {
    const fault = await as(OTHER, () => expectFault(call(fireman, 'checkPermission', { items: list('/grid/vo/p/f1', '/grid/vo/p/f3'), perm: perm('read') })));
    expect(fault.name).toBe('AuthorizationException');
    expect(fault.message).toMatch(/^item 2 of 2 \(\/grid\/vo\/p\/f3\).*read/);
    expect((await expectFault(call(fireman, 'checkPermission', { items: list('/grid/vo/p/none'), perm: perm('read') }))).name).toBe('NotExistsException');
    expect((await expectFault(call(fireman, 'checkPermission', { items: list('/grid/vo/p/f1') }))).name).toBe('InvalidArgumentException');
  });
});
