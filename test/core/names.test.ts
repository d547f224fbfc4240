import { parseChecksum, parseSize } from '../../src/core/checksum';
import { CatalogError, InvalidArgument } from '../../src/core/errors';
import { parseGuid } from '../../src/core/names/guid';
import { COMPONENT_MAX_BYTES, LFN_MAX_BYTES, parseLfn } from '../../src/core/names/lfn';
import { parseSurl, SURL_MAX_BYTES } from '../../src/core/names/surl';

/** Runs `fn`, expects it to throw InvalidArgument, and returns the error for further checks. */
function invalid(fn: () => unknown): InvalidArgument {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) throw new Error('expected InvalidArgument, but nothing was thrown');
  expect(thrown).toBeInstanceOf(InvalidArgument);
  expect(thrown).toBeInstanceOf(CatalogError);
  const error = thrown as InvalidArgument;
  expect(error.code).toBe('InvalidArgument');
  expect(error.message.length).toBeGreaterThan(0);
  return error;
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const GUID = '6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c';

describe('LFN names', () => {
  // Four components of 255 bytes and four slashes: exactly 1024 bytes.
  const longestPath = `/${['a', 'b', 'c', 'd'].map((c) => c.repeat(COMPONENT_MAX_BYTES)).join('/')}`;
  const componentOf255 = 'x'.repeat(COMPONENT_MAX_BYTES);
  // 127 two-byte characters and one ASCII: 255 bytes in 128 characters.
  const multibyteComponentOf255 = `${'é'.repeat(127)}a`;
  // Five components of 200 bytes and one of 19, with their slashes: 1025 bytes.
  const tooLongPath = `${`/${'a'.repeat(200)}`.repeat(5)}/${'b'.repeat(19)}`;

  it('has the documented limits', () => {
    expect(LFN_MAX_BYTES).toBe(1024);
    expect(COMPONENT_MAX_BYTES).toBe(255);
    expect(bytes(longestPath)).toBe(1024);
    expect(bytes(multibyteComponentOf255)).toBe(255);
    expect(bytes(tooLongPath)).toBe(1025);
  });

  it.each([
    ['the root', '/', '/'],
    ['a top-level name', '/a', '/a'],
    ['a deep grid path', '/grid/vo/run1/file.root', '/grid/vo/run1/file.root'],
    ['a path with one trailing slash (dropped)', '/a/b/', '/a/b'],
    ['a top-level name with a trailing slash', '/a/', '/a'],
    ['decomposed unicode (normalized to NFC)', '/grid/caf\u0065\u0301', '/grid/caf\u00e9'],
    ['already precomposed unicode', '/grid/caf\u00e9', '/grid/caf\u00e9'],
    ['names with spaces, dots and dashes', '/a b/.hidden/x..y/-z', '/a b/.hidden/x..y/-z'],
    ['a component of exactly 255 bytes', `/d/${componentOf255}`, `/d/${componentOf255}`],
    ['a multibyte component of exactly 255 bytes', `/d/${multibyteComponentOf255}`, `/d/${multibyteComponentOf255}`],
    ['a path of exactly 1024 bytes', longestPath, longestPath],
    ['a 1025-byte path whose extra byte is a trailing slash', `${longestPath}/`, longestPath],
  ])('accepts %s', (_what, input, normalized) => {
    expect(parseLfn(input)).toBe(normalized);
  });

  it('compares a decomposed and a precomposed spelling as the same name', () => {
    expect(parseLfn('/e\u0301')).toBe(parseLfn('/\u00e9'));
    expect(parseLfn('/e\u0301')).toBe('/\u00e9');
  });

  it.each<[string, unknown, RegExp]>([
    ['the empty string', '', /empty/],
    ['a relative name', 'grid/vo', /absolute/],
    ['a relative dot', '.', /absolute/],
    ['a leading double slash', '//a', /empty component/],
    ['only a double slash', '//', /empty component/],
    ['a double slash inside', '/a//b', /empty component/],
    ['two trailing slashes', '/a//', /empty component/],
    ['a "." component', '/a/./b', /'\.' or '\.\.'/],
    ['a ".." component', '/a/../b', /'\.' or '\.\.'/],
    ['".." below the root', '/..', /'\.' or '\.\.'/],
    ['a trailing "."', '/a/.', /'\.' or '\.\.'/],
    ['a NUL byte', '/a\u0000b', /control character/],
    ['a newline', '/a\nb', /control character/],
    ['a tab', '/a\tb', /control character/],
    ['DEL (U+007F)', '/a\u007fb', /control character/],
    ['a C1 control (U+0085)', '/a\u0085b', /control character/],
    ['a lone high surrogate', '/a\ud800b', /not valid Unicode/],
    ['a lone low surrogate', '/a\udc00', /not valid Unicode/],
    ['a component of 256 bytes', `/d/${'x'.repeat(256)}`, /component longer than 255 bytes/],
    ['a component of 256 bytes in 128 two-byte characters', `/d/${'é'.repeat(128)}`, /component longer than 255 bytes/],
    ['a component of 258 bytes in 86 three-byte characters', `/d/${'€'.repeat(86)}`, /component longer than 255 bytes/],
    ['a path of 1025 bytes', tooLongPath, /longer than 1024 bytes/],
    ['a path of 1025 bytes made of two-byte characters', `${`/${'é'.repeat(127)}`.repeat(4)}/éé`, /longer than 1024 bytes/],
    ['a number', 5, /must be a string/],
    ['null', null, /must be a string/],
    ['undefined', undefined, /must be a string/],
    ['an object', { lfn: '/a' }, /must be a string/],
    ['an array', ['/a'], /must be a string/],
  ])('refuses %s with InvalidArgument', (_what, input, message) => {
    const error = invalid(() => parseLfn(input));
    expect(error.message).toMatch(/^LFN /);
    expect(error.message).toMatch(message);
  });

  it('names the offending argument in the message', () => {
    expect(invalid(() => parseLfn('relative', 'target')).message).toMatch(/^target must be absolute/);
    expect(invalid(() => parseLfn('/a/../b')).message).toContain('"/a/../b"');
  });

  it('keeps messages about very long names short', () => {
    const error = invalid(() => parseLfn(`/a//${'x'.repeat(5000)}`));
    expect(error.message.length).toBeLessThan(300);
  });
});

describe('GUIDs', () => {
  it.each([
    ['a bare lowercase UUID', GUID],
    ['a guid: prefix', `guid:${GUID}`],
    ['an upper-case GUID: prefix', `GUID:${GUID}`],
    ['a mixed-case prefix', `Guid:${GUID}`],
    ['an upper-case UUID', GUID.toUpperCase()],
    ['a prefixed upper-case UUID', `guid:${GUID.toUpperCase()}`],
  ])('accepts %s, answering lowercase without prefix', (_what, input) => {
    expect(parseGuid(input)).toBe(GUID);
  });

  it('does not check the version and variant nibbles (old gLite tools wrote every kind)', () => {
    expect(parseGuid('00000000-0000-0000-0000-000000000000')).toBe('00000000-0000-0000-0000-000000000000');
    expect(parseGuid('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
  });

  it.each<[string, unknown]>([
    ['the empty string', ''],
    ['a prefix alone', 'guid:'],
    ['a doubled prefix', `guid:guid:${GUID}`],
    ['a UUID without hyphens', GUID.replaceAll('-', '')],
    ['a UUID in braces', `{${GUID}}`],
    ['a urn:uuid: prefix', `urn:uuid:${GUID}`],
    ['a UUID one digit short', GUID.slice(0, -1)],
    ['a UUID one digit long', `${GUID}0`],
    ['a non-hex digit', `g${GUID.slice(1)}`],
    ['surrounding white space', ` ${GUID} `],
    ['a trailing newline', `${GUID}\n`],
    ['hyphens in the wrong places', '6f1c8e0a3-c1d-4b7e-9b0a-2f4d5e6a7b8c'],
    ['a number', 42],
    ['null', null],
    ['an object', { guid: GUID }],
  ])('refuses %s', (_what, input) => {
    expect(invalid(() => parseGuid(input)).message).toMatch(/^GUID /);
  });
});

describe('SURLs', () => {
  it('keeps the SURL byte for byte and derives the SE as its lowercase host without port', () => {
    const surl = 'srm://SE1.Example.ORG:8446/srm/managerv2?SFN=/dpm/Example.org/home/vo/F1';
    expect(parseSurl(surl)).toEqual({ surl, se: 'se1.example.org' });
  });

  it('derives the bare address of an IPv6 host', () => {
    expect(parseSurl('srm://[::1]:8443/x').se).toBe('::1');
    expect(parseSurl('https://[2001:DB8::1]/x').se).toBe('2001:db8::1');
  });

  it.each([
    ['srm', 'srm://se1.example.org/dpm/vo/f1', 'se1.example.org'],
    ['gsiftp', 'gsiftp://gridftp.example.org:2811/data/f1', 'gridftp.example.org'],
    ['root', 'root://eos.example.org//eos/vo/f1', 'eos.example.org'],
    ['https', 'https://dav.example.org:443/vo/f1', 'dav.example.org'],
    ['https on its default port', 'HTTPS://Dav.Example.org/vo/f1', 'dav.example.org'],
    ['a host with user info', 'gsiftp://user@se.example.org/f', 'se.example.org'],
  ])('accepts the %s scheme', (_scheme, surl, se) => {
    expect(parseSurl(surl)).toEqual({ surl, se });
  });

  it('accepts a SURL of exactly 2048 bytes', () => {
    const prefix = 'srm://se1.example.org/';
    const surl = prefix + 'x'.repeat(SURL_MAX_BYTES - prefix.length);
    expect(bytes(surl)).toBe(2048);
    expect(parseSurl(surl).surl).toBe(surl);
  });

  it.each<[string, unknown, RegExp]>([
    ['no scheme', 'se1.example.org/data/f1', /scheme and host/],
    ['a scheme without //', 'srm:se1.example.org/f1', /scheme and host/],
    ['no host (file:///x)', 'file:///x', /no host/],
    ['an empty host', 'srm:///data/f1', /no host/],
    ['a space', 'srm://se1.example.org/data/my file', /white space or control/],
    ['a tab', 'srm://se1.example.org/data/f\t1', /white space or control/],
    ['a trailing newline', 'srm://se1.example.org/data/f1\n', /white space or control/],
    ['a NUL byte', 'srm://se1.example.org/data/f\u00001', /white space or control/],
    ['DEL', 'srm://se1.example.org/data/f\u007f', /white space or control/],
    ['a C1 control', 'srm://se1.example.org/data/f\u0085', /white space or control/],
    ['a lone surrogate', 'srm://se1.example.org/data/f\ud800', /not valid Unicode/],
    ['more than 2048 bytes', `srm://se1.example.org/${'x'.repeat(2048)}`, /longer than 2048 bytes/],
    ['2049 bytes of multibyte characters', `srm://se1.example.org/${'é'.repeat(1014)}`, /longer than 2048 bytes/],
    ['a number', 7, /must be a string/],
    ['null', null, /must be a string/],
    ['an object', { surl: 'srm://a/b' }, /must be a string/],
  ])('refuses %s', (_what, input, message) => {
    const error = invalid(() => parseSurl(input));
    expect(error.message).toMatch(/^SURL /);
    expect(error.message).toMatch(message);
  });

  it('builds the multibyte over-length case right', () => {
    expect(bytes(`srm://se1.example.org/${'é'.repeat(1014)}`)).toBe(2050);
  });
});

describe('checksums', () => {
  it.each([
    ['adler32 without leading zeros is padded', { type: 'adler32', value: '9600001' }, { type: 'adler32', value: '09600001' }],
    ['adler32 with leading zeros is kept', { type: 'adler32', value: '09600001' }, { type: 'adler32', value: '09600001' }],
    ['adler32 in upper case is lowercased', { type: 'adler32', value: 'ABCDEF01' }, { type: 'adler32', value: 'abcdef01' }],
    ['a one-digit adler32 is padded to 8', { type: 'adler32', value: '1' }, { type: 'adler32', value: '00000001' }],
    [
      'md5 in upper case is lowercased',
      { type: 'md5', value: 'D41D8CD98F00B204E9800998ECF8427E' },
      { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
    ],
    [
      'md5 in lower case is kept',
      { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
      { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
    ],
  ])('%s', (_what, input, canonical) => {
    expect(parseChecksum(input)).toEqual(canonical);
  });

  it('makes the padded and unpadded spellings of one adler32 equal', () => {
    expect(parseChecksum({ type: 'adler32', value: '9600001' })).toEqual(parseChecksum({ type: 'adler32', value: '09600001' }));
  });

  it.each<[string, unknown, RegExp]>([
    ['adler32 with 9 digits', { type: 'adler32', value: '096000011' }, /1 to 8 hex digits/],
    ['adler32 with a non-hex digit', { type: 'adler32', value: '0960000g' }, /1 to 8 hex digits/],
    ['adler32 with a 0x prefix', { type: 'adler32', value: '0x960001' }, /1 to 8 hex digits/],
    ['adler32 with white space', { type: 'adler32', value: ' 9600001' }, /1 to 8 hex digits/],
    ['an empty adler32', { type: 'adler32', value: '' }, /1 to 8 hex digits/],
    ['md5 of 31 digits', { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427' }, /32 hex digits/],
    ['md5 of 33 digits', { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e0' }, /32 hex digits/],
    ['md5 with a non-hex digit', { type: 'md5', value: 'z41d8cd98f00b204e9800998ecf8427e' }, /32 hex digits/],
    ['an empty md5', { type: 'md5', value: '' }, /32 hex digits/],
    ['the unknown type sha1', { type: 'sha1', value: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' }, /unsupported checksum type "sha1"/],
    ['a numeric value', { type: 'adler32', value: 9600001 }, /string fields/],
    ['a missing value', { type: 'adler32' }, /string fields/],
    ['a missing type', { value: '9600001' }, /string fields/],
    ['a string', 'adler32:9600001', /\{type, value\}/],
    ['null', null, /\{type, value\}/],
    ['a number', 9600001, /\{type, value\}/],
    ['undefined', undefined, /\{type, value\}/],
  ])('refuses %s', (_what, input, message) => {
    expect(invalid(() => parseChecksum(input)).message).toMatch(message);
  });
});

describe('file sizes', () => {
  it.each([
    ['zero', 0],
    ['one byte', 1],
    ['a terabyte', 2 ** 40],
    ['2^53 - 1, the largest exact JSON integer', Number.MAX_SAFE_INTEGER],
  ])('accepts %s', (_what, size) => {
    expect(parseSize(size)).toBe(size);
  });

  it.each<[string, unknown]>([
    ['-1', -1],
    ['1.5', 1.5],
    ['2^53', 2 ** 53],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['the string "10"', '10'],
    ['the empty string', ''],
    ['a bigint', 10n],
    ['null', null],
    ['an object', { size: 10 }],
  ])('refuses %s', (_what, size) => {
    expect(invalid(() => parseSize(size)).message).toMatch(/non-negative integer/);
  });
});
