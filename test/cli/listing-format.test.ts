import type { Entry } from '@replicat/sdk';
import { describeConnectionFailure } from '../../src/cli/connection-failure';
import { longLines, statLines } from '../../src/cli/entry-format';
import { wrapText } from '../../src/cli/help-text';
import { compareNatural } from '../../src/cli/natural-order';
import { withoutSubject } from '../../src/cli/session';

const FILE: Entry = {
  lfn: '/grid/vo/a.root',
  kind: 'file',
  guid: '6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c',
  size: 42,
  owner: '/DC=org/CN=Alice',
  group: '',
  ctime: '2026-01-02T03:04:05.678Z',
  mtime: '2026-01-02T03:04:05.678Z',
};

describe('natural order', () => {
  it('orders numbers in names by value, the rest by bytes', () => {
    expect(['f10001', 'f1001', 'f10', 'f2', 'f1', 'e9', 'g'].sort(compareNatural)).toEqual(['e9', 'f1', 'f2', 'f10', 'f1001', 'f10001', 'g']);
    expect(['run10.root', 'run9.root', 'run9.log'].sort(compareNatural)).toEqual(['run9.log', 'run9.root', 'run10.root']);
  });

  it('is total: the same value with other padding falls back to byte order', () => {
    expect(['f1', 'f01', 'f001'].sort(compareNatural)).toEqual(['f001', 'f01', 'f1']);
    expect(compareNatural('a', 'a')).toBe(0);
  });
});

describe('long listing and stat', () => {
  it('shows an entry without a group as (none), not a - that reads like a missing size', () => {
    const [line] = longLines([{ entry: FILE, name: 'a.root', rights: 'pdrwlxgs' }]);
    expect(line).toBe(`- pdrwlxgs /DC=org/CN=Alice (none) 42 2026-01-02T03:04:05Z ${FILE.guid} a.root`);
    expect(statLines(FILE)).toContain('Group:    (none)');
  });

  it('right-aligns sizes and marks rights that could not be read', () => {
    const lines = longLines([
      { entry: { ...FILE, group: 'vo', size: 5 }, name: 'a', rights: '--r-----' },
      { entry: { ...FILE, group: 'vo', size: 12345 }, name: 'b' },
    ]);
    expect(lines.map((l) => l.split(/ +/).slice(0, 2).join(' '))).toEqual(['- --r-----', '- ????????']);
    expect(lines[0]).toContain(' vo     5 ');
    expect(lines[1]).toContain(' vo 12345 ');
  });

  it('aligns stat values in one column', () => {
    const lines = statLines({ ...FILE, checksum: { type: 'adler32', value: '0000abcd' } });
    expect(lines[0]).toBe('LFN:      /grid/vo/a.root');
    expect(new Set(lines.map((l) => /^\S+:\s+/.exec(l)![0].length)).size).toBe(1);
  });
});

describe('help text', () => {
  it('wraps each paragraph to the width, continuation lines indented under it', () => {
    const text = wrapText('Exit status: 0 every item succeeded; 1 some items failed; 2 usage error\n  indented line that is long enough', 30);
    expect(text.split('\n').every((l) => l.length <= 30)).toBe(true);
    expect(text).toBe('Exit status: 0 every item\n  succeeded; 1 some items\n  failed; 2 usage error\n  indented line that is long\n    enough');
  });
});

describe('messages', () => {
  it('drop the item the line already starts with, keeping the rest of the message', () => {
    expect(withoutSubject('no such entry: /grid/x', '/grid/x')).toBe('no such entry');
    expect(withoutSubject('no such entry: /grid/x (removed concurrently)', 'lfn:///grid/x')).toBe('no such entry (removed concurrently)');
    expect(withoutSubject('no such GUID: 6f1c', 'guid:6f1c')).toBe('no such GUID');
    expect(withoutSubject('permission denied: read on /grid/x (stat)', '/grid/x')).toBe('permission denied: read on /grid/x (stat)');
    expect(withoutSubject('no such entry: /grid/xy', '/grid/x')).toBe('no such entry: /grid/xy');
  });

  it('say what a failed connection means in one line', () => {
    const tls = new Error('fetch failed', {
      cause: Object.assign(new Error('80BCAF6F647F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n'), {
        code: 'ERR_SSL_WRONG_VERSION_NUMBER',
      }),
    });
    expect(describeConnectionFailure(tls, 'https://localhost:8080')).toBe(
      'https://localhost:8080 does not speak TLS there: an https:// URL for a plain http port? (ERR_SSL_WRONG_VERSION_NUMBER)',
    );
    const ca = new Error('fetch failed', { cause: Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }) });
    expect(describeConnectionFailure(ca, 'https://h:8443')).toMatch(/X509_CERT_DIR/);
    const odd = new Error('fetch failed', { cause: new Error('8000:error:0A000126:SSL routines:ssl3_read_bytes:unexpected eof while reading:x.c:1:\nmore') });
    expect(describeConnectionFailure(odd, undefined)).toBe('the service: unexpected eof while reading');
  });
});
