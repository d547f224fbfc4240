import { parseCatalogArgument, parseLfnArgument } from '../../src/cli/catalog-argument';
import { UsageError } from '../../src/cli/exit-codes';
import { parsePattern } from '../../src/cli/lfn-pattern';

describe('argument forms', () => {
  it.each([
    ['/grid/vo/a', '/grid/vo/a'],
    ['lfn:///grid/vo/a', '/grid/vo/a'],
    ['lfn:/grid/vo/a', '/grid/vo/a'],
    ['LFN:/grid/vo/a', '/grid/vo/a'],
    ['/grid/vo/', '/grid/vo'],
    ['/', '/'],
    ['/grid/a\\*b', '/grid/a*b'],
  ])('%s names the LFN %s', (text, lfn) => {
    expect(parseCatalogArgument(text)).toEqual({ kind: 'lfn', text, lfn });
  });

  it.each(['grid/vo/a', 'lfn://grid/vo/a', 'a.root', '', 'srm://se/a'])('refuses the relative or foreign %j', (text) => {
    expect(() => parseCatalogArgument(text)).toThrow(UsageError);
  });

  it('takes guid: and guid:// where GUIDs are accepted, lowercased', () => {
    const uuid = '6F1C8E0A-3C1D-4B7E-9B0A-2F4D5E6A7B8C';
    expect(parseCatalogArgument(`guid:${uuid}`, { guids: true })).toMatchObject({ kind: 'guid', guid: uuid.toLowerCase() });
    expect(parseCatalogArgument(`guid://${uuid}`, { guids: true })).toMatchObject({ kind: 'guid', guid: uuid.toLowerCase() });
    expect(() => parseCatalogArgument(`guid:${uuid}`)).toThrow(/GUID is not accepted/);
    expect(() => parseCatalogArgument('guid:nope', { guids: true })).toThrow(/not a GUID/);
  });

  it('recognizes wildcards in any component, and takes them literally where patterns are off', () => {
    const parsed = parseCatalogArgument('/grid/*/run?/*.root');
    expect(parsed.kind).toBe('pattern');
    expect(parseCatalogArgument('/grid/*', { patterns: false })).toEqual({ kind: 'lfn', text: '/grid/*', lfn: '/grid/*' });
    expect(parseLfnArgument('lfn:/grid/x')).toBe('/grid/x');
  });

  it('matches globs one component at a time', () => {
    const glob = (text: string) => {
      const c = parsePattern(text).components.at(-1)!;
      if (c.kind !== 'glob') throw new Error('not a glob');
      return c.regex;
    };
    expect(glob('/a/*.root').test('x.root')).toBe(true);
    expect(glob('/a/*.root').test('.root')).toBe(true);
    expect(glob('/a/*.root').test('x.rootx')).toBe(false);
    expect(glob('/a/run?').test('run1')).toBe(true);
    expect(glob('/a/run?').test('run10')).toBe(false);
    expect(glob('/a/run?').test('runé')).toBe(true);
    expect(glob('/a/(x)+*').test('(x)+y')).toBe(true);
    expect(glob('/a/a\\*b*').test('a*bc')).toBe(true);
    expect(glob('/a/a\\*b*').test('axbc')).toBe(false);
    expect(parsePattern('/grid/*/run1/*.root').components.map((c) => c.kind)).toEqual(['literal', 'glob', 'literal', 'glob']);
  });
});
