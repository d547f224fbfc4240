import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { putFiles, type PutItem } from '../../../src/cli/transfer/put-files';
import { adler32, FakeSrm } from './fake-srm';

describe('putFiles: the engine of replicat put', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'put-files-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const local = (name: string, bytes: string): PutItem => {
    const source = join(dir, name);
    writeFileSync(source, bytes);
    return { source, size: Buffer.byteLength(bytes), lfn: `/grid/vo/${name}`, surl: `srm://se1/dpm/grid/vo/${name}` };
  };

  it('reserves, uploads, and has putDone register each file; the adler32 computed here is checked', async () => {
    const srm = new FakeSrm();
    const outcomes = await putFiles([local('a', 'alpha'), local('b', 'bravo')], { srm, parallel: 2, batch: 1000, protocols: ['http'] });
    expect(outcomes).toMatchObject([
      { ok: true, lfn: '/grid/vo/a', size: 5, adler32: adler32('alpha') },
      { ok: true, lfn: '/grid/vo/b', size: 5, adler32: adler32('bravo') },
    ]);
    expect(srm.calls.map((c) => c.op)).toEqual(['prepareToPut', 'putDone']);
  });

  it('reports refused files, aborts what was not uploaded, and removes bytes damaged in transit', async () => {
    const srm = new FakeSrm();
    const refused = local('c', 'charlie');
    const broken = local('d', 'delta');
    srm.refuse.set(refused.surl, { status: 'SRM_DUPLICATION_ERROR', explanation: 'the file exists on this SE' });
    srm.broken.add(broken.surl);
    const outcomes = await putFiles([refused, broken, local('e', 'echo')], { srm, parallel: 1, batch: 1000, protocols: [] });
    expect(outcomes).toMatchObject([
      { ok: false, error: { code: 'Refused', message: 'SRM_DUPLICATION_ERROR (the file exists on this SE)' } },
      { ok: false, error: { code: 'TransferFailed', message: 'upload failed: connection reset' } },
      { ok: true },
    ]);
    expect(srm.calls.map((c) => c.op)).toEqual(['prepareToPut', 'putDone', 'abort']);

    const damaging = new FakeSrm();
    damaging.damageUploads = true;
    const [damaged] = await putFiles([local('f', 'foxtrot')], { srm: damaging, parallel: 1, batch: 10, protocols: [] });
    expect(damaged).toMatchObject({ ok: false, error: { code: 'ChecksumMismatch' } });
    expect(damaging.calls.at(-1)).toEqual({ op: 'rm', surls: ['srm://se1/dpm/grid/vo/f'] });
    expect(damaging.files.size).toBe(0);
  });

  it('sends batches of `batch` files, one SRM request each', async () => {
    const srm = new FakeSrm();
    const items = Array.from({ length: 25 }, (_, i) => local(`g${i}`, `golf ${i}`));
    const outcomes = await putFiles(items, { srm, parallel: 4, batch: 10, protocols: [] });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(srm.calls.filter((c) => c.op === 'prepareToPut').map((c) => c.surls.length)).toEqual([10, 10, 5]);
    expect(srm.maxInFlight).toBeLessThanOrEqual(4);
  });
});
