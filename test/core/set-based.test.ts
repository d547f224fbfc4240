import * as core from '../../src/core';
import type { CatalogContext } from '../../src/core/context';
import { StatementCounter } from '../support/statement-counter';
import { startTestCatalog, type TestCatalog } from '../support/test-catalog';

describe('bulk operations are set-based', () => {
  let catalog: TestCatalog;
  let counter: StatementCounter;
  let ctx: CatalogContext;
  const N = 2000;
  const lfns = Array.from({ length: N }, (_, i) => `/bulk/d${i % 7}/f${i}`);

  beforeAll(async () => {
    catalog = await startTestCatalog();
    counter = new StatementCounter();
    ctx = { ...catalog.ctx, db: catalog.ctx.db.withPlugin(counter) };
    await core.makeDirectories(ctx, Array.from({ length: 7 }, (_, d) => ({ lfn: `/bulk/d${d}`, parents: true })));
  });
  afterAll(() => catalog.close());

  async function statements(work: () => Promise<core.Result<unknown>[]>): Promise<number> {
    counter.executed = 0;
    const results = await work();
    expect(results.every((r) => r.ok)).toBe(true);
    return counter.executed;
  }

  it(`registers ${N} files with replicas in a handful of statements`, async () => {
    const n = await statements(() =>
      core.createFiles(
        ctx,
        lfns.map((lfn, i) => ({ lfn, size: i, checksum: { type: 'adler32', value: 'abc' }, replicas: [{ surl: `srm://se${i % 3}.example.org${lfn}` }] })),
      ),
    );
    expect(n).toBeLessThanOrEqual(8);
  });

  it('answers small lookups made at the same moment with one statement, each caller with its own names and rights', async () => {
    const own = Array.from({ length: 10 }, (_, i) => `/bulk/d${i % 7}/shared-${i}`);
    await core.createFiles(ctx, own.map((lfn) => ({ lfn })));
    const outsider: CatalogContext = { ...ctx, identity: { dn: '/DC=org/DC=example/CN=Outsider', group: '', groups: [] } };
    counter.executed = 0;
    const asked = [...own.map((lfn) => ({ lfn, as: ctx })), { lfn: '/bulk/d1/none', as: ctx }, { lfn: own[0]!, as: outsider }];
    const results = await Promise.all(asked.map(({ lfn, as }) => core.statEntries(as, [{ lfn }])));
    // One statement for every first round; the missing name needs a second one for its ancestors.
    expect(counter.executed).toBeLessThanOrEqual(2);
    own.forEach((lfn, i) => expect(results[i]).toEqual([expect.objectContaining({ ok: true, value: expect.objectContaining({ lfn }) })]));
    expect(results[own.length]![0]).toMatchObject({ ok: false, error: { code: 'NotExists' } });
    expect(results[own.length + 1]![0]).toMatchObject({ ok: false, error: { code: 'PermissionDenied' } });
  });

  it.each([
    ['stat', () => core.statEntries(ctx, lfns.map((lfn) => ({ lfn })))],
    ['list replicas', () => core.listReplicas(ctx, lfns.map((lfn) => ({ lfn })))],
    ['look up GUIDs', () => core.lookupGuids(ctx, lfns.map((lfn) => ({ lfn })))],
    ['add replicas', () => core.addReplicas(ctx, lfns.map((lfn) => ({ lfn, surl: `srm://extra.example.org${lfn}` })))],
    ['remove replicas', () => core.removeReplicas(ctx, lfns.map((lfn) => ({ lfn, surl: `srm://extra.example.org${lfn}` })))],
    ['check permissions', () => core.checkPermissions(ctx, lfns.map((lfn) => ({ lfn, rights: ['read'] })))],
    ['remove files', () => core.removeEntries(ctx, lfns.map((lfn) => ({ lfn })))],
  ])(`%s of ${N} items takes a handful of statements`, async (_name, work) => {
    expect(await statements(work)).toBeLessThanOrEqual(8);
  });
});
