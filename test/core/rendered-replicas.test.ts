import { sql } from 'kysely';
import * as core from '../../src/core';
import { compareReplicas } from '../../src/core/replicas/replica';
import { encodeReplica } from '../../src/rest/encode';
import { startTestCatalog, type TestCatalog } from '../support/test-catalog';

/**
 * listReplicas answers with replicas as JSON text rendered by the database (REST copies it as is); the
 * objects are parsed from it on demand. Both must say exactly what the replica rows hold, in the order
 * compareReplicas defines.
 */
describe('replicas rendered by the database', () => {
  let catalog: TestCatalog;
  const lfn = '/rendered/f1';
  // JSON needs escapes for the quote and the backslash; non-ASCII must come through unharmed.
  const odd = 'srm://se2.example.org/data/a"b\\c/é/😀';

  beforeAll(async () => {
    catalog = await startTestCatalog();
    const ctx = catalog.ctx;
    await core.makeDirectories(ctx, [{ lfn: '/rendered', parents: true }]);
    const created = await core.createFiles(ctx, [
      { lfn, replicas: [{ surl: 'srm://se1.example.org/data/f1-b' }, { surl: 'srm://se1.example.org/data/f1-a' }] },
      { lfn: '/rendered/empty' },
    ]);
    expect(created.every((r) => r.ok)).toBe(true);
    expect((await core.addReplicas(ctx, [{ lfn, surl: odd, master: true }]))[0]!.ok).toBe(true);
    // Microseconds the JSON must truncate (as toISOString of the parsed timestamp does), a status other than
    // the default, and two replicas equal to the millisecond so that the SURL decides their order.
    await sql`UPDATE replicas SET ctime = '2026-01-02 03:04:05.678999+00', mtime = '2026-01-02 03:04:06.000001+00' WHERE surl LIKE '%/f1-%'`.execute(ctx.db);
    await sql`UPDATE replicas SET status = 'unavailable', ctime = '2025-12-31 23:59:59.999999+00' WHERE surl = ${odd}`.execute(ctx.db);
  });
  afterAll(() => catalog.close());

  it('renders the JSON the object encoder would write, in compareReplicas order', async () => {
    const [listed] = await core.listReplicas(catalog.ctx, [{ lfn }]);
    if (!listed?.ok) throw new Error('listReplicas failed');
    const surls = [odd, 'srm://se1.example.org/data/f1-a', 'srm://se1.example.org/data/f1-b'];
    const stored = await core.statSurls(catalog.ctx, surls.map((surl) => ({ surl })));
    const rows = stored.map((r) => {
      if (!r.ok) throw r.error;
      return r.value;
    });
    const expected = [...rows].sort(compareReplicas);
    expect(expected.map((r) => r.surl)).toEqual(surls);
    expect(listed.value.replicasJson).toBe(JSON.stringify(expected.map(encodeReplica)));
    expect(JSON.parse(listed.value.replicasJson)[1]).toEqual({
      surl: 'srm://se1.example.org/data/f1-a',
      se: 'se1.example.org',
      status: 'available',
      master: false,
      ctime: '2026-01-02T03:04:05.678Z',
      mtime: '2026-01-02T03:04:06.000Z',
    });
    expect(listed.value.replicas).toEqual(expected);
  });

  it('renders a file without replicas as an empty array', async () => {
    const [listed] = await core.listReplicas(catalog.ctx, [{ lfn: '/rendered/empty' }]);
    expect(listed?.ok && listed.value.replicasJson).toBe('[]');
    expect(listed?.ok && listed.value.replicas).toEqual([]);
  });
});
