import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFiles, type GetItem } from '../../../src/cli/transfer/get-files';
import { adler32, FakeSrm } from './fake-srm';

describe('getFiles: the engine of replicat get', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'get-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const item = (name: string, bytes: string, surls: readonly [surl: string, srm: string][]): GetItem => ({
    lfn: `/grid/vo/${name}`,
    destination: join(dir, name),
    size: Buffer.byteLength(bytes),
    adler32: adler32(bytes),
    candidates: surls.map(([surl, srm]) => ({ surl, srm, se: srm })),
    skipped: [],
  });
  const settings = (srms: Record<string, FakeSrm>, more: { parallel?: number; batch?: number } = {}) => ({
    parallel: more.parallel ?? 4,
    batch: more.batch ?? 1000,
    protocols: ['http'],
    stageTimeoutMs: 1000,
    srm: (url: string) => srms[url]!,
  });

  it('downloads from the first replica, checks the bytes and renames them into place, then releases the pin', async () => {
    const srm = new FakeSrm();
    srm.files.set('srm://se1/a', Buffer.from('alpha'));
    const [outcome] = await getFiles([item('a', 'alpha', [['srm://se1/a', 'one']])], settings({ one: srm }));
    expect(outcome).toMatchObject({ ok: true, surl: 'srm://se1/a', size: 5 });
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('alpha');
    expect(srm.calls.map((c) => c.op)).toEqual(['prepareToGet', 'release']);
    expect(readdirSync(dir)).toEqual(['a']);
  });

  it('detects corrupt bytes by adler32, deletes them, reports them, and takes the next replica', async () => {
    const one = new FakeSrm();
    const two = new FakeSrm();
    one.files.set('srm://se1/b', Buffer.from('bravo'));
    one.corrupt.add('srm://se1/b');
    two.files.set('srm://se2/b', Buffer.from('bravo'));
    const [outcome] = await getFiles([item('b', 'bravo', [['srm://se1/b', 'one'], ['srm://se2/b', 'two']])], settings({ one, two }));
    expect(outcome).toMatchObject({ ok: true, surl: 'srm://se2/b' });
    expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('bravo');
  });

  it('never leaves corrupt bytes when every replica is corrupt: ChecksumMismatch naming each replica', async () => {
    const one = new FakeSrm();
    one.files.set('srm://se1/c', Buffer.from('charlie'));
    one.corrupt.add('srm://se1/c');
    const [outcome] = await getFiles([item('c', 'charlie', [['srm://se1/c', 'one']])], settings({ one }));
    expect(outcome).toMatchObject({ ok: false, error: { code: 'ChecksumMismatch', message: expect.stringContaining('srm://se1/c: corrupt: adler32') } });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('falls back when the SRM refuses a file, is down, or the download breaks', async () => {
    const one = new FakeSrm();
    const two = new FakeSrm();
    const three = new FakeSrm();
    for (const name of ['d', 'e']) {
      one.files.set(`srm://se1/${name}`, Buffer.from(name));
      three.files.set(`srm://se3/${name}`, Buffer.from(name));
    }
    one.refuse.set('srm://se1/d', { status: 'SRM_FILE_UNAVAILABLE', explanation: 'storage element se1 is offline' });
    one.broken.add('srm://se1/e');
    two.down = true;
    const items = ['d', 'e'].map((n) => item(n, n, [[`srm://se1/${n}`, 'one'], [`srm://se2/${n}`, 'two'], [`srm://se3/${n}`, 'three']]));
    let bytes = 0;
    const outcomes = await getFiles(items, { ...settings({ one, two, three }), onBytes: (n) => (bytes += n) });
    expect(outcomes).toMatchObject([{ ok: true, surl: 'srm://se3/d' }, { ok: true, surl: 'srm://se3/e' }]);
    expect(bytes).toBe(2); // the broken attempt's bytes were taken back
    // Round by round: each SRM asked once for both files.
    expect(one.calls.filter((c) => c.op === 'prepareToGet')).toEqual([{ op: 'prepareToGet', surls: ['srm://se1/d', 'srm://se1/e'] }]);
    expect(two.calls).toEqual([{ op: 'prepareToGet', surls: ['srm://se2/d', 'srm://se2/e'] }]);
  });

  it('reports every reason when no replica works, including replicas skipped before asking', async () => {
    const one = new FakeSrm();
    one.refuse.set('srm://se1/f', { status: 'SRM_AUTHORIZATION_FAILURE', explanation: 'the catalog does not let you read this file' });
    const f = { ...item('f', 'f', [['srm://se1/f', 'one']]), skipped: [{ surl: 'srm://se9/f', reason: 'storage element se9 is offline' }] };
    const [outcome] = await getFiles([f], settings({ one }));
    expect(outcome!.error!.message).toContain('srm://se1/f: SRM_AUTHORIZATION_FAILURE (the catalog does not let you read this file)');
    expect(outcome!.error!.message).toContain('srm://se9/f: storage element se9 is offline');
    const none = await getFiles([{ ...item('g', 'g', []), skipped: [] }], settings({}));
    expect(none[0]).toMatchObject({ ok: false, error: { code: 'NoReplica', message: 'the file has no replica' } });
  });

  it('asks each SRM in batches and keeps at most `parallel` downloads in flight', async () => {
    const one = new FakeSrm();
    const items: GetItem[] = [];
    for (let i = 0; i < 250; i++) {
      one.files.set(`srm://se1/${i}`, Buffer.from(`file ${i}`));
      items.push(item(`f${i}`, `file ${i}`, [[`srm://se1/${i}`, 'one']]));
    }
    const outcomes = await getFiles(items, settings({ one }, { parallel: 3, batch: 100 }));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(one.calls.filter((c) => c.op === 'prepareToGet').map((c) => c.surls.length)).toEqual([100, 100, 50]);
    expect(one.maxInFlight).toBe(3);
    expect(existsSync(join(dir, 'f249'))).toBe(true);
  });
});
