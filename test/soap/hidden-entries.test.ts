import type { Client } from 'soap';
import type { Identity } from '../../src/core/context';
import { TEST_IDENTITY } from '../support/test-catalog';
import { call, expectFault, list, startSoapService, switchableCaller, type CaughtFault, type SoapTestService } from './soap-harness';

// The test identity keeps /grid/vo/alice private; OTHER may walk the rest and write in /grid/vo/other.
const OTHER: Identity = { dn: '/DC=org/DC=example/CN=Other User', group: 'others', groups: [] };
const RIGHTS = ['permission', 'remove', 'read', 'write', 'list', 'execute', 'getMetadata', 'setMetadata'];
const perm = (...rights: string[]) => Object.fromEntries(RIGHTS.map((r) => [r, rights.includes(r)]));

const HIDDEN_GUID = '4a11ce00-0000-4000-8000-000000000001';
const NONE_GUID = '4a11ce00-0000-4000-8000-0000000000ff';
const HIDDEN_SURL = 'srm://se.example.org/alice/private.root';
const NONE_SURL = 'srm://se.example.org/nobody.root';
const HIDDEN_LFN = '/grid/vo/alice/private.root';

let svc: SoapTestService;
let fireman: Client;
let storageIndex: Client;
const caller = switchableCaller(TEST_IDENTITY);

beforeAll(async () => {
  svc = await startSoapService({}, { identify: caller.identify });
  fireman = await svc.client('FiremanCatalog');
  storageIndex = await svc.client('StorageIndex');
  await call(fireman, 'mkdir', { directories: list('/grid/vo/alice', '/grid/vo/other'), createParents: true, copyPermFromParent: false });
  await call(fireman, 'create', {
    entries: list({ lfn: HIDDEN_LFN, guid: HIDDEN_GUID, surlStats: [{ masterReplica: true, creationTime: 0, modifyTime: 0, surl: HIDDEN_SURL }] }),
  });
  const walk = { otherPerm: perm('execute', 'list') };
  await call(fireman, 'setPermission', {
    permissions: list(
      ...['/', '/grid', '/grid/vo'].map((item) => ({ item, permission: walk })),
      { item: '/grid/vo/other', permission: { otherPerm: perm('execute', 'list', 'read', 'write') } },
    ),
  });
});
afterAll(async () => svc.close());

/** The fault an operation gives OTHER for `hidden` and for `missing`, which must read alike. */
async function faultsFor(client: Client, operation: string, part: string, hidden: string, missing: string): Promise<[CaughtFault, CaughtFault]> {
  return caller.as(OTHER, async () => [
    await expectFault(call(client, operation, { [part]: list(hidden) })),
    await expectFault(call(client, operation, { [part]: list(missing) })),
  ]);
}

function expectSameAsMissing([hidden, missing]: [CaughtFault, CaughtFault], hiddenKey: string, missingKey: string): void {
  expect(hidden.name).toBe('NotExistsException');
  expect(missing.name).toBe('NotExistsException');
  expect(hidden.message.replaceAll(hiddenKey, 'KEY')).toBe(missing.message.replaceAll(missingKey, 'KEY'));
  for (const leak of ['/grid/vo/alice', HIDDEN_GUID, HIDDEN_SURL].filter((s) => s !== hiddenKey)) expect(hidden.message).not.toContain(leak);
}

describe('a file the caller cannot reach, over SOAP', () => {
  it.each(['getGuidForSurl', 'getSurlStat', 'listLfn'])('%s answers its SURL as one nobody registered', async (operation) => {
    expectSameAsMissing(await faultsFor(fireman, operation, 'surls', HIDDEN_SURL, NONE_SURL), HIDDEN_SURL, NONE_SURL);
  });

  it.each(['getLfnForGuid', 'getGuidStat', 'listReplicasByGuid', 'listSurlsByGuid', 'getMasterReplica', 'removeGuid'])(
    '%s answers its GUID as one nobody registered',
    async (operation) => {
      expectSameAsMissing(await faultsFor(fireman, operation, 'guids', HIDDEN_GUID, NONE_GUID), HIDDEN_GUID, NONE_GUID);
    },
  );

  it('listSEbyGUID answers its GUID as one nobody registered', async () => {
    const [hidden, missing] = await caller.as(OTHER, async () => [
      await expectFault(call(storageIndex, 'listSEbyGUID', { guid: HIDDEN_GUID })),
      await expectFault(call(storageIndex, 'listSEbyGUID', { guid: NONE_GUID })),
    ]);
    expectSameAsMissing([hidden!, missing!], HIDDEN_GUID, NONE_GUID);
  });

  it('is not named when its GUID or SURL is registered again', async () => {
    const taken = await caller.as(OTHER, () => expectFault(call(fireman, 'create', { entries: list({ lfn: '/grid/vo/other/copy.root', guid: HIDDEN_GUID }) })));
    expect(taken.name).toBe('ExistsException');
    expect(taken.message).not.toContain('/grid/vo/alice');
    await caller.as(OTHER, () => call(fireman, 'create', { entries: list({ lfn: '/grid/vo/other/mine.root' }) }));
    const surl = await caller.as(OTHER, () =>
      expectFault(call(fireman, 'addReplica', { lfn: '/grid/vo/other/mine.root', newSurls: list({ masterReplica: false, creationTime: 0, modifyTime: 0, surl: HIDDEN_SURL }) })),
    );
    expect(surl.name).toBe('ExistsException');
    expect(surl.message).not.toContain(HIDDEN_GUID);
    expect(surl.message).not.toContain('/grid/vo/alice');
  });

  it('is still there for its owner', async () => {
    expect(await call(fireman, 'listLfn', { surls: list(HIDDEN_SURL) })).toMatchObject({ item: { string1: HIDDEN_SURL, string2: HIDDEN_LFN } });
  });
});
