import { expandPatterns, type ListedEntry, type PatternCatalog } from '../../src/cli/expand-patterns';
import { parsePattern } from '../../src/cli/lfn-pattern';

/** A namespace in memory that counts the requests expansion makes. */
function fakeCatalog(paths: readonly string[]) {
  const entries = new Map<string, ListedEntry>();
  for (const path of paths) {
    const parts = path.split('/').filter(Boolean);
    parts.forEach((_, i) => {
      const lfn = `/${parts.slice(0, i + 1).join('/')}`;
      const kind = i === parts.length - 1 && !path.endsWith('/') ? 'file' : 'directory';
      if (!entries.has(lfn) || kind === 'directory') entries.set(lfn, { lfn, kind });
    });
  }
  const calls = { list: [] as string[], existing: 0 };
  const catalog: PatternCatalog<ListedEntry> = {
    async *list(directory) {
      calls.list.push(directory);
      const prefix = directory === '/' ? '/' : `${directory}/`;
      for (const e of [...entries.values()].sort((a, b) => (a.lfn < b.lfn ? -1 : 1))) {
        if (e.lfn.startsWith(prefix) && !e.lfn.slice(prefix.length).includes('/')) yield e;
      }
    },
    async existing(lfns) {
      calls.existing++;
      return lfns.flatMap((l) => (entries.has(l) ? [entries.get(l)!] : []));
    },
  };
  return { catalog, calls };
}

const tree = ['/grid/vo/run1/a.root', '/grid/vo/run1/b.root', '/grid/vo/run1/c.txt', '/grid/vo/run2/a.root', '/grid/vo/run10/', '/grid/other/run1/z.root', '/grid/x.root'];

describe('wildcard expansion', () => {
  it('lists the parent once for a pattern in the last component', async () => {
    const { catalog, calls } = fakeCatalog(tree);
    const [result] = await expandPatterns([parsePattern('/grid/vo/run1/*.root')], catalog);
    expect(result!.matches.map((e) => e.lfn)).toEqual(['/grid/vo/run1/a.root', '/grid/vo/run1/b.root']);
    expect(calls).toEqual({ list: ['/grid/vo/run1'], existing: 0 });
  });

  it('shares one listing between patterns on the same directory', async () => {
    const { catalog, calls } = fakeCatalog(tree);
    const results = await expandPatterns([parsePattern('/grid/vo/run1/a*'), parsePattern('/grid/vo/run1/?.txt'), parsePattern('/grid/vo/run1/nothing*')], catalog);
    expect(results.map((r) => r.matches.map((e) => e.lfn))).toEqual([['/grid/vo/run1/a.root'], ['/grid/vo/run1/c.txt'], []]);
    expect(calls.list).toEqual(['/grid/vo/run1']);
  });

  it('walks globs in inner components one level at a time, listing each matched directory once', async () => {
    const { catalog, calls } = fakeCatalog(tree);
    const [result] = await expandPatterns([parsePattern('/grid/*/run?/*.root')], catalog);
    expect(result!.matches.map((e) => e.lfn)).toEqual(['/grid/other/run1/z.root', '/grid/vo/run1/a.root', '/grid/vo/run1/b.root', '/grid/vo/run2/a.root']);
    expect(calls.list.sort()).toEqual(['/grid', '/grid/other', '/grid/other/run1', '/grid/vo', '/grid/vo/run1', '/grid/vo/run2']);
    expect(calls.existing).toBe(0);
  });

  it('checks literal tails after a glob in one bulk stat', async () => {
    const { catalog, calls } = fakeCatalog(tree);
    const [result] = await expandPatterns([parsePattern('/grid/*/run1/a.root')], catalog);
    expect(result!.matches.map((e) => e.lfn)).toEqual(['/grid/vo/run1/a.root']);
    expect(calls).toEqual({ list: ['/grid'], existing: 1 });
  });

  it('finds nothing under a directory that is not there', async () => {
    const { catalog } = fakeCatalog(tree);
    const [result] = await expandPatterns([parsePattern('/nowhere/*')], catalog);
    expect(result!.matches).toEqual([]);
  });
});
