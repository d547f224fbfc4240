import type { Entry } from '../../src/core/entry';
import { NotExists } from '../../src/core/errors';
import type { Guid } from '../../src/core/names/guid';
import type { Lfn } from '../../src/core/names/lfn';
import { fail, ok } from '../../src/core/result';
import { encodeEntry, encodeResults } from '../../src/rest/encode';
import { entryJson, resultsJson } from '../../src/rest/json-text';

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
});
