import { appendFileSync } from 'node:fs';
import { CompiledQuery, sql } from 'kysely';
import * as core from '../../src/core';
import { countMatches, prepareQuery, selectMatches } from '../../src/core/metadata/query-entries';
import { startTestCatalog, type TestCatalog } from '../support/test-catalog';

// A fresh PGlite and its fixtures can take over a minute on a loaded machine (seen with parallel suites).
jest.setTimeout(180_000);

const onPostgres = process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== '';

/**
 * The plans PostgreSQL chooses for metadata queries, after ANALYZE on a few thousand entries: no query
 * may read the values table sequentially. Plans are the ones of the real statements (same SQL, same
 * bound parameters). Set REPLICAT_PLANS_OUT=file to collect them (docs/query.md shows them).
 */
(onPostgres ? describe : describe.skip)('query plans (PostgreSQL only: skipped on PGlite, which has no planner statistics worth testing; set DATABASE_URL)', () => {
  let catalog: TestCatalog;
  let ctx: core.CatalogContext;
  const FILES = 5000;

  const plan = async (
    label: string,
    request: core.QueryRequest,
    mode: 'page' | 'count' = 'page',
    as: core.CatalogContext = ctx,
  ): Promise<string> => {
    const prepared = await prepareQuery(as, request);
    const statement = mode === 'count' ? countMatches(ctx.db, prepared).compile() : selectMatches(ctx.db, prepared, null, 1001).compile();
    const result = await ctx.db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN (COSTS OFF) ${statement.sql}`, [...statement.parameters]));
    const text = result.rows.map((r) => r['QUERY PLAN']).join('\n');
    const out = process.env.REPLICAT_PLANS_OUT;
    if (out) appendFileSync(out, `-- ${label}: ${JSON.stringify(request)}${mode === 'count' ? ' (count)' : ''}\n${text}\n\n`);
    return text;
  };

  beforeAll(async () => {
    catalog = await startTestCatalog();
    ctx = catalog.ctx;
    await core.createSchema(ctx, {
      name: 'plans',
      attributes: [
        { name: 'run', type: 'int' },
        { name: 'sample', type: 'string' },
        { name: 'energy', type: 'float' },
        { name: 'good', type: 'bool' },
        { name: 'taken', type: 'timestamp' },
      ],
    });
    await core.makeDirectories(ctx, Array.from({ length: 50 }, (_, d) => ({ lfn: `/p/d${d}`, parents: true })));
    const lfns = Array.from({ length: FILES }, (_, i) => `/p/d${i % 50}/f${i}`);
    await core.createFiles(ctx, lfns.map((lfn) => ({ lfn })));
    const set = await core.setAttributes(
      ctx,
      lfns.map((lfn, i) => ({
        lfn,
        attributes: {
          run: i,
          sample: `sample-${i}`,
          energy: i / 10,
          good: i % 10 === 0,
          taken: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
        },
      })),
    );
    expect(set.every((r) => r.ok)).toBe(true);
    await core.setAttributes(ctx, [{ lfn: '/p/d7', attributes: { sample: 'calibration' } }]);
    await sql`ANALYZE`.execute(ctx.db);
  });
  afterAll(() => catalog.close());

  const expectIndexed = (text: string, index: string) => {
    expect(text).not.toMatch(/Seq Scan on metadata_values/);
    expect(text).toContain(index);
  };

  it('equality is an index lookup', async () => {
    expectIndexed(await plan('equality', { query: 'run = 4242' }), 'metadata_values_int');
    expectIndexed(await plan('string equality', { query: "sample = 'sample-17'" }), 'metadata_values_text');
  });

  it('a range is an index range', async () => {
    expectIndexed(await plan('range', { query: 'run >= 4900' }), 'metadata_values_int');
    expectIndexed(await plan('timestamp range', { query: "taken > '2024-01-04T10:00:00Z'" }), 'metadata_values_time');
  });

  it('two bounds on one attribute are one bounded index range', async () => {
    const text = await plan('bounded range', { query: 'run >= 2000 AND run < 2100' });
    expectIndexed(text, 'metadata_values_int');
    expect(text).toMatch(/Index Cond: \(\(attribute_id = '[^']+'::uuid\) AND \(v_int >= '2000'::bigint\) AND \(v_int < '2100'::bigint\)\)/);
  });

  it('LIKE with a literal prefix is an index range', async () => {
    const text = await plan('LIKE prefix', { query: "sample LIKE 'sample-42%'" });
    expectIndexed(text, 'metadata_values_text');
    expect(text).toMatch(/v_text >= 'sample-42'::text/);
  });

  it('a conjunction and a disjunction use the indexes of their leaves', async () => {
    expectIndexed(await plan('AND', { query: "run < 100 AND sample LIKE 'sample-9%'" }), 'metadata_values_');
    const or = await plan('OR', { query: "run = 7 OR sample = 'sample-99' OR energy > 499.5" });
    expectIndexed(or, 'metadata_values_int');
    expect(or).toContain('metadata_values_float');
  });

  it('a count of a selective query never reads the values table sequentially', async () => {
    expectIndexed(await plan('count', { query: 'good = true AND run < 200' }, 'count'), 'metadata_values_');
  });

  it('an unscoped count of index lookups reads only the values indexes (for callers who read everything)', async () => {
    // An administrator reads every entry, so no per-entry visibility condition needs the entries rows.
    const admin = { ...ctx, identity: { ...ctx.identity, admin: true } };
    const text = await plan('count of a leaf', { query: "sample LIKE 'sample-4%' OR run < 10" }, 'count', admin);
    expectIndexed(text, 'metadata_values_text');
    expect(text).not.toMatch(/on entries/);
  });

  it('a count for other callers starts from the values indexes and checks read rights on the entries it finds', async () => {
    const text = await plan('count with visibility', { query: "sample LIKE 'sample-4%' OR run < 10" }, 'count');
    expectIndexed(text, 'metadata_values_text');
    expect(text).toMatch(/Index Scan using entries_pkey/);
  });

  it('an inherited disjunction of 10 or 100 leaves gathers its candidates first and tests only them', async () => {
    for (const n of [10, 100]) {
      const query = Array.from({ length: n }, (_, i) => `run = ${i * 7}`).join(' OR ');
      const text = await plan(`inherit, ${n} OR leaves`, { query, inherit: true });
      expectIndexed(text, 'metadata_values_int');
      expect(text).not.toMatch(/Seq Scan on entries e\b/);
      const started = Date.now();
      expect(await core.countEntries(ctx, { query, inherit: true })).toBe(n);
      process.stdout.write(`inherit, ${n} OR leaves over ${FILES} files: count in ${Date.now() - started} ms\n`);
    }
  });

  it('an inherited query starts from the matching values and their subtrees', async () => {
    expectIndexed(await plan('inherit', { query: "sample = 'calibration'", inherit: true, kind: 'file' }), 'metadata_values_text');
  });
});
