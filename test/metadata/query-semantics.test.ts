import * as core from '../../src/core';
import { startTestCatalog, type TestCatalog } from '../support/test-catalog';

// A fresh PGlite and its fixtures can take over a minute on a loaded machine (seen with parallel suites).
jest.setTimeout(180_000);

function must<T>(results: readonly core.Result<T>[]): void {
  const failed = results.find((r) => !r.ok);
  if (failed !== undefined && !failed.ok) throw failed.error;
}

describe('query semantics', () => {
  let catalog: TestCatalog;
  let ctx: core.CatalogContext;

  /** LFNs matching a query under /q (or elsewhere with `under`), in the order the query returns them. */
  const match = async (query: string, request: Partial<core.QueryRequest> = {}): Promise<string[]> => {
    const page = await core.queryEntries(ctx, { query, under: '/q', ...request }, { limit: 1000 });
    return page.items.map((e) => e.lfn);
  };
  const names = async (query: string, request: Partial<core.QueryRequest> = {}) =>
    (await match(query, request)).map((lfn) => lfn.slice(lfn.lastIndexOf('/') + 1));

  beforeAll(async () => {
    catalog = await startTestCatalog();
    ctx = catalog.ctx;
    await core.createSchema(ctx, {
      name: 'runs',
      attributes: [
        { name: 'run', type: 'int' },
        { name: 'energy', type: 'float' },
        { name: 'detector', type: 'string' },
        { name: 'good', type: 'bool' },
        { name: 'taken', type: 'timestamp' },
        { name: 'note', type: 'string' },
      ],
    });
    must(await core.makeDirectories(ctx, [{ lfn: '/q/dir', parents: true }, { lfn: '/elsewhere' }]));
    must(await core.createFiles(ctx, ['f1', 'f2', 'f3', 'f4', 'f5'].map((f) => ({ lfn: `/q/${f}` })).concat([{ lfn: '/elsewhere/f1' }])));
    must(
      await core.setAttributes(ctx, [
        { lfn: '/q/f1', attributes: { run: 1, energy: 0.5, detector: 'tpc', good: true, taken: '2024-01-01T00:00:00Z' } },
        { lfn: '/q/f2', attributes: { run: 2, energy: 1.5, detector: 'its', good: false, taken: '2024-06-01T12:00:00+02:00' } },
        { lfn: '/q/f3', attributes: { run: 3, energy: 2.5, detector: 'tpcx', taken: '2025-01-01T00:00:00Z' } },
        { lfn: '/q/f5', attributes: { detector: '50%_off', note: "it's" } },
        { lfn: '/q/dir', attributes: { run: 10, detector: 'tpc' } },
        { lfn: '/elsewhere/f1', attributes: { run: 1 } },
      ]),
    );
  });
  afterAll(() => catalog.close());

  describe('comparisons by type', () => {
    it.each([
      ['run = 2', ['f2']],
      ['run != 2', ['dir', 'f1', 'f3']],
      ['run < 2', ['f1']],
      ['run <= 2', ['f1', 'f2']],
      ['run > 2', ['dir', 'f3']],
      ['run >= 3', ['dir', 'f3']],
      ['run = -1', []],
      ['energy = 1.5', ['f2']],
      ['energy > 1', ['f2', 'f3']],
      ['energy < 1', ['f1']],
      ['energy >= 2.5', ['f3']],
      ['energy != 0.5', ['f2', 'f3']],
      ['energy > 2', ['f3']],
      ["detector = 'tpc'", ['dir', 'f1']],
      ["detector != 'tpc'", ['f2', 'f3', 'f5']],
      ["detector < 'tpc'", ['f2', 'f5']],
      ["detector > 'tpc'", ['f3']],
      ["detector = 'TPC'", []],
      ['good = TRUE', ['f1']],
      ['good = false', ['f2']],
      ['good != true', ['f2']],
      ["taken = '2024-01-01T00:00:00Z'", ['f1']],
      ["taken = TIMESTAMP '2024-06-01T10:00:00Z'", ['f2']],
      ["taken > '2024-03-01'", ['f2', 'f3']],
      ["taken <= TIMESTAMP '2024-06-01T10:00:00.000Z'", ['f1', 'f2']],
      ["taken < '2024-01-01T01:00:00+01:00'", []],
    ])('%s', async (query, expected) => {
      expect(await names(query)).toEqual(expected);
    });
  });

  describe('LIKE, IN and EXISTS', () => {
    it.each([
      ["detector LIKE 'tpc%'", ['dir', 'f1', 'f3']],
      ["detector LIKE 'tpc'", ['dir', 'f1']],
      ["detector LIKE '%s'", ['f2']],
      ["detector LIKE 't_c'", ['dir', 'f1']],
      ["detector LIKE '%'", ['dir', 'f1', 'f2', 'f3', 'f5']],
      ["detector LIKE '50\\%%'", ['f5']],
      ["detector LIKE '50\\%\\_off'", ['f5']],
      ["detector LIKE '5_\\%%'", ['f5']],
      ["detector NOT LIKE 'tpc%'", ['f2', 'f4', 'f5']],
      ['run IN (1, 3, 99)', ['f1', 'f3']],
      ["detector IN ('its', 'tpcx')", ['f2', 'f3']],
      ['run NOT IN (1, 3)', ['dir', 'f2', 'f4', 'f5']],
      ['energy IN (0.5, 2)', ['f1']],
      ['good IN (true)', ['f1']],
      ["taken IN ('2024-01-01', TIMESTAMP '2025-01-01T00:00:00Z')", ['f1', 'f3']],
      ['EXISTS good', ['f1', 'f2']],
      ['EXISTS note', ['f5']],
      ['NOT EXISTS run', ['f4', 'f5']],
    ])('%s', async (query, expected) => {
      expect(await names(query)).toEqual(expected);
    });
  });

  describe('absent attributes and logic', () => {
    it.each([
      // A comparison on an attribute the entry lacks is false, so != needs the attribute; NOT does not.
      ['run != 1', ['dir', 'f2', 'f3']],
      ['NOT run = 1', ['dir', 'f2', 'f3', 'f4', 'f5']],
      ["run = 1 AND detector = 'tpc'", ['f1']],
      ["run = 1 AND detector = 'its'", []],
      ["run = 1 OR detector = 'its'", ['f1', 'f2']],
      ["run = 1 OR run = 3 OR detector LIKE '50%'", ['f1', 'f3', 'f5']],
      ["(run = 1 OR run = 2) AND good = false", ['f2']],
      ["run = 1 OR NOT EXISTS run", ['f1', 'f4', 'f5']],
      ["NOT (run = 1 OR run = 2)", ['dir', 'f3', 'f4', 'f5']],
      ['NOT NOT run = 2', ['f2']],
      ['EXISTS run AND NOT EXISTS good', ['dir', 'f3']],
      // Leaves on one attribute in a conjunction are tested on the same value.
      ['run >= 2 AND run <= 3', ['f2', 'f3']],
      ["run > 1 AND detector = 'its' AND run < 3", ['f2']],
      ['run = 1 AND run = 2', []],
      ['EXISTS run AND run != 10 AND run IN (1, 10, 3)', ['f1', 'f3']],
    ])('%s', async (query, expected) => {
      expect(await names(query)).toEqual(expected);
    });
  });

  describe('scope, kind, pages, count and streams', () => {
    it('scopes to the entries strictly below a directory, everywhere without under', async () => {
      expect(await match('run = 1')).toEqual(['/q/f1']);
      expect(await match('run = 1', { under: '/' })).toEqual(['/elsewhere/f1', '/q/f1']);
      const all = await core.queryEntries(ctx, { query: 'run = 10' });
      expect(all.items.map((e) => e.lfn)).toEqual(['/q/dir']);
      expect(await match('run = 10', { under: '/q/dir' })).toEqual([]);
    });

    it('refuses a scope that does not exist or is not a directory', async () => {
      await expect(core.queryEntries(ctx, { query: 'run = 1', under: '/nope' })).rejects.toMatchObject({ code: 'NotExists' });
      await expect(core.queryEntries(ctx, { query: 'run = 1', under: '/q/f1' })).rejects.toMatchObject({ code: 'NotADirectory' });
      await expect(core.queryEntries(ctx, { query: 'run = 1', under: 'relative' })).rejects.toMatchObject({ code: 'InvalidArgument' });
    });

    it('filters by kind', async () => {
      expect(await names("detector = 'tpc'", { kind: 'file' })).toEqual(['f1']);
      expect(await names("detector = 'tpc'", { kind: 'directory' })).toEqual(['dir']);
    });

    it('pages with cursors that belong to one query', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await core.queryEntries(ctx, { query: 'EXISTS detector', under: '/q' }, { limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((e) => e.lfn));
        cursor = page.next ?? undefined;
        pages += 1;
      } while (cursor !== undefined);
      expect(pages).toBe(3);
      expect(seen).toEqual(['/q/dir', '/q/f1', '/q/f2', '/q/f3', '/q/f5']);
      const first = await core.queryEntries(ctx, { query: 'EXISTS detector', under: '/q' }, { limit: 1 });
      await expect(core.queryEntries(ctx, { query: 'EXISTS run', under: '/q' }, { cursor: first.next! })).rejects.toMatchObject({
        code: 'InvalidArgument',
      });
      await expect(core.queryEntries(ctx, { query: 'EXISTS detector', under: '/' }, { cursor: first.next! })).rejects.toMatchObject({
        code: 'InvalidArgument',
      });
    });

    it.each([
      'EXISTS run',
      'run >= 2 AND run <= 3',
      'run = 1 AND run = 2',
      "run = 1 OR detector = 'its' OR detector LIKE 'tpc%'",
      'NOT EXISTS run',
      "run = 1 AND detector = 'tpc'",
    ])('counts %s as many entries as it lists, with and without a scope', async (query) => {
      for (const under of [undefined, '/q']) {
        const listed = await core.queryEntries(ctx, { query, ...(under ? { under } : {}) }, { limit: 1000 });
        expect(await core.countEntries(ctx, { query, ...(under ? { under } : {}) })).toBe(listed.items.length);
      }
    });

    it('counts without reading, and streams every match', async () => {
      expect(await core.countEntries(ctx, { query: 'EXISTS run', under: '/q' })).toBe(4);
      expect(await core.countEntries(ctx, { query: 'EXISTS run' })).toBe(5);
      expect(await core.countEntries(ctx, { query: 'run = 12345' })).toBe(0);
      const streamed: string[] = [];
      for await (const entry of core.streamEntries(ctx, { query: 'EXISTS detector OR EXISTS run' }, 2)) streamed.push(entry.lfn);
      expect(streamed).toEqual(['/elsewhere/f1', '/q/dir', '/q/f1', '/q/f2', '/q/f3', '/q/f5']);
    });
  });

  describe('type errors point at the column', () => {
    it.each([
      ['runn = 1', 1, 'no such attribute: "runn"'],
      ["run = 'one'", 7, '"run" is an int attribute'],
      ['run = 1.5', 7, 'is not an int'],
      ['run IN (1, 2.5)', 12, 'is not an int'],
      ['energy = TRUE', 10, 'is a float attribute'],
      ['detector = 5', 12, 'is a string attribute'],
      ['good > TRUE', 1, 'only = and != apply'],
      ['good = 1', 8, 'is a bool attribute'],
      ["taken > 'yesterday'", 9, 'not an RFC 3339 time'],
      ["taken > TIMESTAMP '2024-13-01'", 9, 'not an RFC 3339 time'],
      ['taken > 5', 9, 'is a timestamp attribute'],
      ["run LIKE '1%'", 1, 'LIKE needs a string attribute'],
      ["detector LIKE 'abc\\'", 15, 'lone backslash'],
      ['run = 1 AND EXISTS nope', 20, 'no such attribute: "nope"'],
    ])('%s', async (query, column, fragment) => {
      const attempt = core.queryEntries(ctx, { query });
      await expect(attempt).rejects.toMatchObject({ code: 'InvalidArgument', column, message: expect.stringContaining(fragment) });
      await expect(core.queryEntries(ctx, { query })).rejects.toThrow(new RegExp(`^invalid query at column ${column}: `));
    });
  });

  describe('inheritance from directories', () => {
    beforeAll(async () => {
      must(
        await core.makeDirectories(ctx, [
          { lfn: '/inh/run1/sub', parents: true },
          { lfn: '/inh/run2', parents: true },
        ]),
      );
      must(await core.createFiles(ctx, ['/inh/run1/a', '/inh/run1/b', '/inh/run1/sub/c', '/inh/run2/d', '/inh/e'].map((lfn) => ({ lfn }))));
      must(
        await core.setAttributes(ctx, [
          { lfn: '/inh', attributes: { note: 'campaign' } },
          { lfn: '/inh/run1', attributes: { detector: 'tpc', run: 1 } },
          { lfn: '/inh/run1/b', attributes: { detector: 'its' } },
          { lfn: '/inh/run2', attributes: { detector: 'its', run: 2 } },
          { lfn: '/inh/run2/d', attributes: { good: true } },
        ]),
      );
    });
    const inherited = (query: string, request: Partial<core.QueryRequest> = {}) => match(query, { under: '/inh', inherit: true, ...request });

    it('without inherit, matches only entries that carry the value', async () => {
      expect(await match("detector = 'tpc'", { under: '/inh' })).toEqual(['/inh/run1']);
    });

    it('gives every entry below a directory its values, the nearest directory winning', async () => {
      expect(await inherited("detector = 'tpc'")).toEqual(['/inh/run1', '/inh/run1/a', '/inh/run1/sub', '/inh/run1/sub/c']);
      expect(await inherited("detector = 'its'")).toEqual(['/inh/run1/b', '/inh/run2', '/inh/run2/d']);
      expect(await inherited("detector = 'its'", { kind: 'file' })).toEqual(['/inh/run1/b', '/inh/run2/d']);
    });

    it('combines inherited and own values in one query', async () => {
      expect(await inherited("run = 1 AND detector = 'its'")).toEqual(['/inh/run1/b']);
      expect(await inherited('run = 2 AND good = true')).toEqual(['/inh/run2/d']);
      expect(await inherited("run = 1 OR good = true", { kind: 'file' })).toEqual(['/inh/run1/a', '/inh/run1/b', '/inh/run1/sub/c', '/inh/run2/d']);
    });

    it('inherits from any depth, and treats an attribute set nowhere above as absent', async () => {
      expect(await inherited("note = 'campaign'", { kind: 'file' })).toEqual(['/inh/e', '/inh/run1/a', '/inh/run1/b', '/inh/run1/sub/c', '/inh/run2/d']);
      expect(await inherited('NOT EXISTS detector')).toEqual(['/inh/e']);
      expect(await inherited("NOT detector = 'tpc'", { kind: 'file' })).toEqual(['/inh/e', '/inh/run1/b', '/inh/run2/d']);
      expect(await inherited('EXISTS run AND run != 1', { kind: 'file' })).toEqual(['/inh/run2/d']);
      expect(await inherited('run >= 1 AND run < 2', { kind: 'file' })).toEqual(['/inh/run1/a', '/inh/run1/b', '/inh/run1/sub/c']);
    });

    it('counts inherited matches', async () => {
      expect(await core.countEntries(ctx, { query: "detector LIKE 't%'", under: '/inh', inherit: true, kind: 'file' })).toBe(2);
    });
  });
});
