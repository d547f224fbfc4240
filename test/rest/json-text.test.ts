import type { Entry, FileEntry, ListedEntry } from '../../src/core/entry';
import { NotExists } from '../../src/core/errors';
import type { Guid } from '../../src/core/names/guid';
import type { Lfn } from '../../src/core/names/lfn';
import { fail, ok } from '../../src/core/result';
import { encodeEntry, encodeResults } from '../../src/rest/encode';
import { JsonBytes } from '../../src/rest/json-bytes';
import { entryJson, resultsJson, writeEntryJson } from '../../src/rest/json-text';

const permission = { owner: '/CN=o', group: 'g', base: { owner: 255, group: 20, other: 0 }, acl: [] };
const times = { ctime: new Date('2026-01-02T03:04:05.678Z'), mtime: new Date('2026-02-03T04:05:06.789Z'), validity: null };
const common = { id: 'x', parentId: 'p', name: 'n', owner: '/DC=org/CN="quoted" \\ back', group: 'g', permission, ...times };

const entries: Entry[] = [
  { kind: 'directory', ...common, lfn: '/grid/vo/dir' as Lfn },
  { kind: 'symlink', ...common, lfn: '/grid/vo/link' as Lfn, target: '/grid/vo/ünïcode "quoted"' as Lfn },
  {
    kind: 'file',
    ...common,
    lfn: '/grid/vo/f' as Lfn,
    guid: '6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c' as Guid,
    size: 1048576,
    checksum: { type: 'adler32', value: '09600001' },
    status: 0,
  },
  { kind: 'file', ...common, lfn: '/grid/vo/bare' as Lfn, guid: '6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8d' as Guid, size: null, checksum: null, status: 0 },
];

describe('JSON text of bulk answers', () => {
  it('writes entries exactly as the object encoder serializes them, key order included', () => {
    for (const entry of entries) expect(entryJson(entry)).toBe(JSON.stringify(encodeEntry(entry)));
  });

  it('writes successes, failures and field-less successes as encodeResults does', () => {
    const results = [ok(entries[2]!), fail<Entry>(new NotExists('no such entry: /a "b"')), ok(entries[0]!)];
    expect(resultsJson(results, (e) => `"entry":${entryJson(e)}`)).toBe(JSON.stringify(encodeResults(results, (e) => ({ entry: encodeEntry(e) }))));
    expect(resultsJson([ok(1)], () => '')).toBe(JSON.stringify(encodeResults([ok(1)], () => ({}))));
  });

  it('writes entries as bytes exactly as the object encoder serializes them, in UTF-8', () => {
    const awkward = ['plain', 'quote " back \\ slash', 'tab\tnew\nline\u0001\u001f\u007f', 'ünïcode €uro 😀 ok', 'lone \ud800 high', 'lone \udc00 low', '😀'];
    const listed: ListedEntry[] = [...entries];
    for (const text of awkward) {
      listed.push({ kind: 'directory', lfn: `/d/${text}` as Lfn, name: text, owner: text, group: text, ctime: times.ctime, mtime: times.mtime });
      listed.push({ kind: 'symlink', lfn: '/d/l' as Lfn, name: 'l', owner: 'o', group: 'g', ctime: times.ctime, mtime: times.mtime, target: `/t/${text}` as Lfn });
      listed.push({ ...(entries[2] as FileEntry), checksum: { type: 'md5', value: text } });
    }
    const out = new JsonBytes(16);
    for (const entry of listed) {
      writeEntryJson(out, entry);
      out.ascii('\n');
    }
    const expected = listed.map((entry) => `${JSON.stringify(encodeEntry(entry as Entry))}\n`).join('');
    expect(out.take().equals(Buffer.from(expected, 'utf8'))).toBe(true);
    expect(out.length).toBe(0);
  });

  it('grows a chunk for a line longer than it, and starts a fresh one when taken', () => {
    const out = new JsonBytes(4);
    out.string('x'.repeat(1000));
    out.ascii(',');
    const first = out.take();
    out.string('é');
    expect(first.toString('utf8')).toBe(`${JSON.stringify('x'.repeat(1000))},`);
    expect(out.take().toString('utf8')).toBe('"é"');
  });
});

