import request from 'supertest';
import { makeDirectories } from '../../src/core/namespace/make-directories';
import { createFiles } from '../../src/core/namespace/create-files';
import { catalogApi, codes, startTestCatalog, type TestCatalog } from '../support/test-catalog';

/** Names that look like `/spoof/report.pdf` or `/spoof/admin` in a listing, and are not. */
const SPOOFS: readonly [string, string][] = [
  ['a right-to-left override (U+202E)', '/spoof/report\u202Efdp.exe'],
  ['a left-to-right embedding (U+202A)', '/spoof/\u202Aadmin'],
  ['a right-to-left isolate (U+2067)', '/spoof/\u2067admin\u2069'],
  ['a zero-width space (U+200B)', '/spoof/ad\u200Bmin'],
  ['a zero-width joiner (U+200D)', '/spoof/ad\u200Dmin'],
  ['a left-to-right mark (U+200E)', '/spoof/admin\u200E'],
  ['a word joiner (U+2060)', '/spoof/ad\u2060min'],
  ['an invisible separator (U+2063)', '/spoof/ad\u2063min'],
  ['a byte order mark (U+FEFF)', '/spoof/\uFEFFadmin'],
  ['the Mongolian vowel separator (U+180E)', '/spoof/ad\u180Emin'],
  ['a soft hyphen (U+00AD, Cf)', '/spoof/ad\u00ADmin'],
  ['a tag character (U+E0061, Cf)', '/spoof/admin\u{E0061}'],
  ['a variation selector (U+FE0F, default-ignorable)', '/spoof/admin\uFE0F'],
  ['a Hangul filler (U+3164, default-ignorable)', '/spoof/ad\u3164min'],
  ['a line separator (U+2028)', '/spoof/admin\u2028x'],
];

describe('names that render invisibly', () => {
  let catalog: TestCatalog;
  let api: ReturnType<typeof catalogApi>;
  beforeAll(async () => {
    catalog = await startTestCatalog();
    api = catalogApi(catalog.app);
    expect(codes(await api.mkdir('/spoof'))).toEqual(['ok']);
  });
  afterAll(() => catalog.close());

  it.each(SPOOFS)('refuses %s in a new directory, file, symlink or link target, and as a move destination', async (_what, lfn) => {
    const refused = (results: { ok: boolean; error?: { code: string; message: string } }[]) => {
      expect(results[0]).toMatchObject({ ok: false, error: { code: 'InvalidArgument' } });
      expect(results[0]!.error!.message).toMatch(/U\+[0-9A-F]{4,5}, a character that shows as nothing/);
      // The message quotes the name with the character spelled out, not with its effect.
      expect(results[0]!.error!.message).not.toContain(lfn);
    };
    refused(await api.mkdir(lfn));
    refused(await api.createFiles([{ lfn }]));
    refused(await api.symlink(lfn, '/spoof'));
    refused(await api.symlink('/spoof/link', lfn));
    expect(codes(await api.createFiles([{ lfn: '/spoof/plain' }]))).toEqual(['ok']);
    refused(await api.move([{ from: '/spoof/plain', to: lfn }]));
    expect(codes(await api.remove([{ lfn: '/spoof/plain' }]))).toEqual(['ok']);
  });

  it('takes letters, marks and spaces of every script, and NFC look-alikes as one name', async () => {
    const names = ['/spoof/Grüße', '/spoof/数据', '/spoof/данные', '/spoof/بيانات', '/spoof/a b', '/spoof/e\u0301'];
    expect(codes(await api.createFiles(names.map((lfn) => ({ lfn }))))).toEqual(names.map(() => 'ok'));
  });

  it('keeps entries named before the rule readable, listable, movable and removable', async () => {
    // Made as a site allowing them would, or as the catalog did before the rule.
    const allowing = { ...catalog.ctx, names: { allowInvisibleCharacters: true } };
    expect(codes(await makeDirectories(allowing, [{ lfn: '/legacy\u202E' }]))).toEqual(['ok']);
    expect(codes(await createFiles(allowing, [{ lfn: '/legacy\u202E/f\u200B' }]))).toEqual(['ok']);
    expect((await api.statOne('/legacy\u202E/f\u200B')).ok).toBe(true);
    const listing = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/legacy\u202E' });
    expect(listing.status).toBe(200);
    expect(JSON.stringify(listing.body)).toContain('/legacy\u202E/f\u200B');
    // Renamed to a plain name, and removed.
    expect(codes(await api.move([{ from: '/legacy\u202E/f\u200B', to: '/spoof/renamed' }]))).toEqual(['ok']);
    expect(codes(await api.remove([{ lfn: '/legacy\u202E' }]))).toEqual(['ok']);
  });
});

describe('a site that allows them (REPLICAT_ALLOW_INVISIBLE_NAME_CHARACTERS=true)', () => {
  let catalog: TestCatalog;
  beforeAll(async () => {
    catalog = await startTestCatalog({}, { names: { allowInvisibleCharacters: true } });
  });
  afterAll(() => catalog.close());

  it('creates them: ZWNJ in Persian, ZWJ in an emoji sequence', async () => {
    const api = catalogApi(catalog.app);
    const names = ['/می\u200Cخواهم', '/\u{1F468}\u200D\u{1F469}\u200D\u{1F467}'];
    expect(codes(await api.createFiles(names.map((lfn) => ({ lfn }))))).toEqual(['ok', 'ok']);
  });
});
