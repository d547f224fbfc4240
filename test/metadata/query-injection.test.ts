import { sql } from 'kysely';
import * as core from '../../src/core';
import { startTestCatalog, type TestCatalog } from '../support/test-catalog';

// A fresh PGlite and its fixtures can take over a minute on a loaded machine (seen with parallel suites).
jest.setTimeout(180_000);

/**
 * Queries crafted to break out of SQL. Each would, if its text were concatenated into the statement,
 * drop a table or return the canary entry /vault/secret; the tests prove neither happens: the attempt is
 * refused with InvalidArgument, or its text is compared as a plain value.
 */
describe('query injection', () => {
  let catalog: TestCatalog;
  let ctx: core.CatalogContext;
  const NASTY_NAMES = [`a"b`, `x'; DROP TABLE entries; --`, `"); DELETE FROM metadata_values; --`, 'e.id) OR (1=1'];

  const tableCounts = async () => {
    const row = await sql<{ entries: number; values: number; attributes: number }>`
      SELECT (SELECT count(*) FROM entries) AS entries, (SELECT count(*) FROM metadata_values) AS values,
             (SELECT count(*) FROM metadata_attributes) AS attributes`.execute(catalog.database.db);
    return row.rows[0];
  };

  beforeAll(async () => {
    catalog = await startTestCatalog();
    ctx = catalog.ctx;
    await core.createSchema(ctx, {
      name: 'inj',
      attributes: [{ name: 'tag', type: 'string' }, { name: 'n', type: 'int' }, ...NASTY_NAMES.map((name) => ({ name, type: 'string' }))],
    });
    await core.makeDirectories(ctx, [{ lfn: '/pub' }, { lfn: '/vault' }]);
    await core.createFiles(ctx, [{ lfn: '/pub/plain' }, { lfn: '/pub/tricky' }, { lfn: '/vault/secret' }]);
    const results = await core.setAttributes(ctx, [
      { lfn: '/pub/plain', attributes: { tag: 'x', n: 1 } },
      { lfn: '/pub/tricky', attributes: { tag: "'; DROP TABLE entries; --", [NASTY_NAMES[0]!]: 'q', [NASTY_NAMES[1]!]: 'r' } },
      { lfn: '/vault/secret', attributes: { tag: 'canary', n: 42, [NASTY_NAMES[2]!]: 's', [NASTY_NAMES[3]!]: 't' } },
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
  });
  afterAll(() => catalog.close());

  /** Runs a query scoped to /pub: any entry from /vault in the answer would be a leak. */
  const run = async (query: string) => (await core.queryEntries(ctx, { query, under: '/pub' })).items.map((e) => e.lfn);

  describe('refused by the parser, at the position of the attack', () => {
    it.each([
      ["tag = 'x'; DROP TABLE entries", 10],
      ["tag = 'x' -- ' OR 1=1", 11],
      ["tag = 'x' /* */ OR 1=1", 11],
      ["tag = 'x' OR 1=1", 14],
      ["tag = U&'\\0027'", 8],
      ["tag = E'\\x27'", 7],
      // A backslash does not escape a quote: the string ends there, and what follows is not a query.
      ["tag = 'x\\' OR 1=1 --'", 19],
      ["tag = '\\'; DROP TABLE metadata_values; --'", 10],
      ['tag = $1', 7],
      ["tag = 'x' || 'y'", 11],
      ["tag = 'x'::text", 10],
      ['n = 1; SELECT * FROM entries', 6],
      ['n = 0x10', 6],
      ["tag = 'a' OR tag = 'b') OR (1=1", 23],
    ])('%s', async (query, column) => {
      await expect(run(query)).rejects.toMatchObject({ code: 'InvalidArgument', column });
    });
  });

  describe('taken as plain values', () => {
    it('finds a value that looks like SQL by comparing it, not running it', async () => {
      expect(await run("tag = '''; DROP TABLE entries; --'")).toEqual(['/pub/tricky']);
    });

    it.each([
      "tag = 'x'' OR ''1''=''1'",
      "tag = '\\u0027 OR 1=1 --'",
      "tag = '\u0027\u0027 OR 1=1 --'",
      "tag LIKE '%'' OR ''1''=''1'",
      "tag IN ('x'') OR (''1''=''1')",
      "tag = 'canary'' UNION SELECT * FROM entries --'",
    ])('%s matches nothing and leaks nothing', async (query) => {
      expect(await run(query)).toEqual([]);
    });

    it('keeps the scope: the canary matches only when the query is not scoped away from it', async () => {
      expect(await run("tag = 'canary'")).toEqual([]);
      expect((await core.queryEntries(ctx, { query: "tag = 'canary'" })).items.map((e) => e.lfn)).toEqual(['/vault/secret']);
    });
  });

  describe('attribute names with quotes and SQL in them', () => {
    it('binds quoted names as parameters', async () => {
      expect(await run(`"a""b" = 'q'`)).toEqual(['/pub/tricky']);
      expect(await run(`"x'; DROP TABLE entries; --" = 'r'`)).toEqual(['/pub/tricky']);
      expect(await run(`EXISTS """); DELETE FROM metadata_values; --"`)).toEqual([]);
      expect(await run(`"e.id) OR (1=1" = 't'`)).toEqual([]);
      expect((await core.queryEntries(ctx, { query: `"e.id) OR (1=1" = 't'` })).items.map((e) => e.lfn)).toEqual(['/vault/secret']);
    });

    it('refuses unknown names that look like SQL as unknown attributes', async () => {
      await expect(run(`"tag' OR '1'='1" = 'x'`)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('no such attribute') });
      await expect(run(`"1; DROP TABLE entries" = 'x'`)).rejects.toMatchObject({ code: 'InvalidArgument', column: 1 });
    });
  });

  describe('other inputs', () => {
    it('binds the scope and the kind as parameters', async () => {
      await expect(core.queryEntries(ctx, { query: 'EXISTS tag', under: "/pub' OR '1'='1" })).rejects.toMatchObject({ code: 'NotExists' });
      await expect(core.queryEntries(ctx, { query: 'EXISTS tag', kind: "file' OR '1'='1" as 'file' })).rejects.toMatchObject({
        code: 'InvalidArgument',
      });
    });

    it('refuses a forged cursor', async () => {
      const forged = Buffer.from(JSON.stringify({ s: 'query:x', a: "' OR 1=1 --" })).toString('base64url');
      await expect(core.queryEntries(ctx, { query: 'EXISTS tag' }, { cursor: forged })).rejects.toMatchObject({ code: 'InvalidArgument' });
    });

    it('left every table and row in place', async () => {
      expect(await tableCounts()).toEqual({ entries: 6, values: 9, attributes: 6 });
      expect((await core.queryEntries(ctx, { query: 'EXISTS tag' })).items).toHaveLength(3);
    });
  });
});
