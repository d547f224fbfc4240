import type { Client } from 'soap';
import type { Identity } from '../../src/core/context';
import { TEST_IDENTITY } from '../support/test-catalog';
import { asArray, call, expectFault, list, startSoapService, type SoapTestService, switchableCaller } from './soap-harness';

type Struct = Record<string, unknown>;

const OTHER: Identity = { dn: '/DC=org/DC=example/CN=Other User', group: 'others', groups: [] };
const RIGHTS = ['permission', 'remove', 'read', 'write', 'list', 'execute', 'getMetadata', 'setMetadata'];
const perm = (...rights: string[]) => Object.fromEntries(RIGHTS.map((r) => [r, rights.includes(r)]));

let svc: SoapTestService;
let fireman: Client;
const caller = switchableCaller(TEST_IDENTITY);
const as = caller.as;

const items = async (operation: string, args: Struct | null) =>
  asArray(((await call(fireman, operation, args)) as { item?: unknown } | undefined)?.item);
const lfnStat = async (lfn: string) => (await items('getFileCatalogEntry', { lfns: list(lfn) }))[0] as { lfnStat: Struct };
const setOther = (item: string, ...rights: string[]) => ({ item, permission: { otherPerm: perm(...rights) } });

beforeAll(async () => {
  svc = await startSoapService({}, { identify: caller.identify });
  fireman = await svc.client('FiremanCatalog');
  await call(fireman, 'mkdir', { directories: list('/grid/vo/t', '/grid/vo/l/a/b', '/grid/vo/l/closed/deep'), createParents: true, copyPermFromParent: false });
  await call(fireman, 'create', {
    entries: list(
      ...['/grid/vo/t/f1', '/grid/vo/t/f2', '/grid/vo/l/x.root', '/grid/vo/l/a/y.root', '/grid/vo/l/a/b/z.root', '/grid/vo/l/a/b/z.txt', '/grid/vo/l/closed/c.root', '/grid/vo/l/closed/deep/d.root', '/grid/vo/l/a/secret.root'].map(
        (lfn) => ({ lfn, guid: null }),
      ),
    ),
  });
  await call(fireman, 'symlink', { symlinks: list({ string1: '/grid/vo/t/f1', string2: '/grid/vo/t/link' }), copyPermFromParent: false });
  // OTHER: may traverse everything but /grid/vo/l/closed, may read every file but secret.root.
  const way = ['/', '/grid', '/grid/vo', '/grid/vo/t', '/grid/vo/l', '/grid/vo/l/a', '/grid/vo/l/a/b', '/grid/vo/l/closed/deep'];
  const files = ['/grid/vo/t/f1', '/grid/vo/l/x.root', '/grid/vo/l/a/y.root', '/grid/vo/l/a/b/z.root', '/grid/vo/l/a/b/z.txt', '/grid/vo/l/closed/c.root', '/grid/vo/l/closed/deep/d.root'];
  await call(fireman, 'setPermission', {
    permissions: list(...way.map((d) => setOther(d, 'execute', 'list')), setOther('/grid/vo/l/closed', 'list'), ...files.map((f) => setOther(f, 'read'))),
  });
});
afterAll(async () => svc.close());

describe('updateModifyTime and updateValidityTime', () => {
  const T = Date.UTC(2024, 4, 1, 12, 0, 0, 123);

  it('sets the modify time of each entry (links followed), in ms since the epoch', async () => {
    await call(fireman, 'updateModifyTime', { lfns: list('/grid/vo/t/link', '/grid/vo/t/f2', '/grid/vo/t'), time: T });
    for (const lfn of ['/grid/vo/t/f1', '/grid/vo/t/f2', '/grid/vo/t']) expect((await lfnStat(lfn)).lfnStat.modifyTime).toBe(String(T));
  });

  it('sets the validity time as ms after creation; 0 is infinite', async () => {
    expect((await lfnStat('/grid/vo/t/f2')).lfnStat.validityTime).toBe('0');
    await call(fireman, 'updateValidityTime', { lfns: list('/grid/vo/t/f2'), time: 86_400_000 });
    expect((await lfnStat('/grid/vo/t/f2')).lfnStat.validityTime).toBe('86400000');
    await call(fireman, 'updateValidityTime', { lfns: list('/grid/vo/t/f2'), time: 0 });
    expect((await lfnStat('/grid/vo/t/f2')).lfnStat.validityTime).toBe('0');
  });

  it('faults for a missing entry (applying nothing), a negative time, and a caller without write', async () => {
    const before = (await lfnStat('/grid/vo/t/f2')).lfnStat.modifyTime;
    const missing = await expectFault(call(fireman, 'updateModifyTime', { lfns: list('/grid/vo/t/f2', '/grid/vo/t/none'), time: 1000 }));
    expect(missing.name).toBe('NotExistsException');
    expect((await lfnStat('/grid/vo/t/f2')).lfnStat.modifyTime).toBe(before);
    expect((await expectFault(call(fireman, 'updateValidityTime', { lfns: list('/grid/vo/t/f2'), time: -5 }))).name).toBe('InvalidArgumentException');
    expect((await as(OTHER, () => expectFault(call(fireman, 'updateModifyTime', { lfns: list('/grid/vo/t/f1'), time: 1000 })))).name).toBe('AuthorizationException');
    expect((await as(OTHER, () => expectFault(call(fireman, 'updateValidityTime', { lfns: list('/grid/vo/t/f1'), time: 1000 })))).name).toBe('AuthorizationException');
  });
});

describe('locate', () => {
  const locate = async (startDir: string, pattern: string, limit: number) => (await items('locate', { startDir, pattern, limit })) as string[];

  it('finds matching names in every subdirectory, in LFN order, up to limit', async () => {
    expect(await locate('/grid/vo/l', '*.root', 100)).toEqual([
      '/grid/vo/l/a/b/z.root',
      '/grid/vo/l/a/secret.root',
      '/grid/vo/l/a/y.root',
      '/grid/vo/l/closed/c.root',
      '/grid/vo/l/closed/deep/d.root',
      '/grid/vo/l/x.root',
    ]);
    expect(await locate('/grid/vo/l', 'z.*', 100)).toEqual(['/grid/vo/l/a/b/z.root', '/grid/vo/l/a/b/z.txt']);
    expect(await locate('/grid/vo/l', 'z.???', 100)).toEqual(['/grid/vo/l/a/b/z.txt']);
    expect(await locate('/grid/vo/l', '*.root', 2)).toEqual(['/grid/vo/l/a/b/z.root', '/grid/vo/l/a/secret.root']);
    expect(await locate('/grid/vo/l/a', '', 100)).toEqual(['/grid/vo/l/a/b', '/grid/vo/l/a/b/z.root', '/grid/vo/l/a/b/z.txt', '/grid/vo/l/a/secret.root', '/grid/vo/l/a/y.root']);
    expect(await locate('/', 'f?', 100)).toEqual(['/grid/vo/t/f1', '/grid/vo/t/f2']);
    expect(await locate('/grid/vo/l', '%', 100)).toEqual([]);
  });

  it('shows another user only what it may read, below directories it may list and traverse', async () => {
    expect(await as(OTHER, () => locate('/grid/vo/l', '*.root', 100))).toEqual(['/grid/vo/l/a/b/z.root', '/grid/vo/l/a/y.root', '/grid/vo/l/x.root']);
  });

  it('refuses a limit of 0, a pattern with /, a start that is not a directory or does not exist', async () => {
    expect((await expectFault(locate('/grid/vo/l', '*', 0))).name).toBe('InvalidArgumentException');
    expect((await expectFault(locate('/grid/vo/l', 'a/*', 10))).name).toBe('InvalidArgumentException');
    expect((await expectFault(locate('/grid/vo/l/x.root', '*', 10))).name).toBe('InvalidArgumentException');
    expect((await expectFault(locate('/grid/vo/none', '*', 10))).name).toBe('NotExistsException');
    expect((await as(OTHER, () => expectFault(locate('/grid/vo/l/closed/deep', '*', 10)))).name).toBe('AuthorizationException');
  });
});
