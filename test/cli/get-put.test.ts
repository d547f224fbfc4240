import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { createSrmApp } from '../../src/srm/srm-app';
import { SdkSrmCatalog } from '../../src/srm/sdk-catalog';
import { SrmService } from '../../src/srm/srm-service';
import { ADMIN, asAdmin, BOB } from '../storage/storage-catalog';
import { TEST_IDENTITY } from '../support/test-catalog';
import { startCliService, STARTUP_MS, type CliTestService } from './cli-harness';

jest.setTimeout(STARTUP_MS);

/**
 * `replicat put` and `replicat get` in-process against a test catalog and the mock SRM on loopback ports,
 * the SRM reaching the catalog through the SDK. Two SEs: se1 on disk, se2 on tape (staged for 300 ms).
 */
describe('replicat put and get', () => {
  let svc: CliTestService;
  let srm: Server;
  let srmUrl: string;
  const areas = { se1: '', se2: '' };

  beforeAll(async () => {
    svc = await startCliService({}, {
      identify: (req) => {
        const as = req.get('x-test-as');
        return as === 'admin' ? ADMIN : as === 'bob' ? BOB : TEST_IDENTITY;
      },
    });
    areas.se1 = join(svc.dir, 'se1');
    areas.se2 = join(svc.dir, 'se2');
    const service = new SrmService(
      { ses: new Map(Object.entries(areas)), stagingDelayMs: 300, pinLifetimeMs: 600_000, maxPinLifetimeMs: 3_600_000, putLifetimeMs: 300_000, requestRetentionMs: 3_600_000 },
      new SdkSrmCatalog({ baseUrl: svc.baseUrl }),
    );
    const app = createSrmApp({ service, identify: (req) => ({ id: req.get('authorization') ?? 'test' }), logger: pino({ level: 'silent' }) });
    srm = createServer(app);
    await new Promise<void>((resolve) => srm.listen(0, '127.0.0.1', resolve));
    srmUrl = `http://127.0.0.1:${(srm.address() as AddressInfo).port}`;
    const ses = [
      { name: 'se1', host: 'se1.example.org', surlPrefixes: ['srm://se1.example.org/dpm/'], protocols: [{ scheme: 'http', turlTemplate: `${srmUrl}/data/se1{path}` }] },
      { name: 'se2', host: 'se2.example.org', nearline: true, surlPrefixes: ['srm://se2.example.org/tape/'], protocols: [{ scheme: 'http', turlTemplate: `${srmUrl}/data/se2{path}` }] },
      { name: 'se3', host: 'se3.example.org', status: 'readonly', surlPrefixes: ['srm://se3.example.org/ro/'], protocols: [{ scheme: 'http', turlTemplate: `${srmUrl}/data/se3{path}` }] },
    ];
    const registered = await asAdmin(svc.catalog.app).post('/api/v1/storage-elements', { items: ses });
    expect(registered.body).toMatchObject({ results: [{ ok: true }, { ok: true }, { ok: true }] });
  });
  afterAll(async () => {
    srm.closeAllConnections();
    await new Promise((resolve) => srm.close(resolve));
    await svc.close();
  });

  const env = () => ({ REPLICAT_SRM: srmUrl });
  const local = (name: string, bytes: string | Buffer) => {
    const path = join(svc.dir, 'src', name);
    mkdirSync(join(svc.dir, 'src'), { recursive: true });
    writeFileSync(path, bytes);
    return path;
  };

  it('puts files on an SE (file, size, adler32, replica in the catalog) and gets them back byte-identical', async () => {
    const sources = ['a.dat', 'b.dat', 'c.dat'].map((name, i) => local(name, Buffer.alloc(10_000 + i, i + 1)));
    const put = await svc.replicat(['put', '--se', 'se1', ...sources, '/grid/vo/run1/'], { env: env() });
    expect(put).toMatchObject({ code: 0, stderr: '' });
    expect(put.stdout).toMatch(/put 3 of 3 files, 30003 bytes/);
    const stat = await svc.replicat(['stat', '/grid/vo/run1/b.dat', '--json']);
    expect(JSON.parse(stat.lines[0]!)).toMatchObject({ ok: true, entry: { size: 10_001, checksum: { type: 'adler32' } } });
    const replicas = await svc.replicat(['getreplica', '/grid/vo/run1/a.dat']);
    expect(replicas.lines).toEqual(['srm://se1.example.org/dpm/grid/vo/run1/a.dat']);

    const out = join(svc.dir, 'out1');
    const got = await svc.replicat(['get', '/grid/vo/run1/*.dat', out], { env: env() });
    expect(got).toMatchObject({ code: 0, stderr: '' });
    expect(got.stdout).toMatch(/got 3 of 3 files/);
    for (const name of ['a.dat', 'b.dat', 'c.dat']) expect(readFileSync(join(out, name)).equals(readFileSync(join(svc.dir, 'src', name)))).toBe(true);
    expect(readFileSync(join(areas.se1, 'dpm/grid/vo/run1/a.dat')).equals(readFileSync(join(svc.dir, 'src', 'a.dat')))).toBe(true);
  });

  it('one file to a named path; refuses to overwrite it without --force', async () => {
    const target = join(svc.dir, 'single.dat');
    expect((await svc.replicat(['get', '/grid/vo/run1/a.dat', target], { env: env() })).code).toBe(0);
    const again = await svc.replicat(['get', '/grid/vo/run1/a.dat', target], { env: env() });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists (use --force to overwrite)');
    expect((await svc.replicat(['get', '--force', '/grid/vo/run1/a.dat', target], { env: env() })).code).toBe(0);
  });

  it('a second replica on tape: an offline disk SE makes get wait out the staging and read from tape', async () => {
    const put = await svc.replicat(['put', '--se', 'se2', join(svc.dir, 'src', 'b.dat'), '/grid/vo/run1/b.dat'], { env: env() });
    expect(put.code).toBe(0);
    expect((await svc.replicat(['getreplica', '/grid/vo/run1/b.dat'])).lines.sort()).toEqual([
      'srm://se1.example.org/dpm/grid/vo/run1/b.dat',
      'srm://se2.example.org/tape/grid/vo/run1/b.dat',
    ]);
    expect((await asAdmin(svc.catalog.app).patch('/api/v1/storage-elements/se1', { status: 'offline' })).status).toBe(200);
    try {
      const started = Date.now();
      const got = await svc.replicat(['get', '-v', '/grid/vo/run1/b.dat', join(svc.dir, 'from-tape.dat')], { env: env() });
      expect(got).toMatchObject({ code: 0 });
      expect(got.stderr).toContain('from srm://se2.example.org/tape/grid/vo/run1/b.dat');
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(readFileSync(join(svc.dir, 'from-tape.dat')).equals(readFileSync(join(svc.dir, 'src', 'b.dat')))).toBe(true);
      // With only the offline copy, the file cannot be read: a failed item saying why.
      const none = await svc.replicat(['get', '/grid/vo/run1/a.dat', join(svc.dir, 'none.dat')], { env: env() });
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('storage element se1 is offline');
      expect(existsSync(join(svc.dir, 'none.dat'))).toBe(false);
    } finally {
      await asAdmin(svc.catalog.app).patch('/api/v1/storage-elements/se1', { status: 'online' });
    }
  });

  it('a file corrupted on disk is detected by adler32 and reported, never returned; another replica is used when there is one', async () => {
    writeFileSync(join(areas.se1, 'dpm/grid/vo/run1/c.dat'), Buffer.alloc(10_002, 9));
    writeFileSync(join(areas.se1, 'dpm/grid/vo/run1/b.dat'), Buffer.alloc(10_001, 9));
    const out = join(svc.dir, 'out2');
    const got = await svc.replicat(['get', '--se', 'se1', '/grid/vo/run1/b.dat', '/grid/vo/run1/c.dat', out], { env: env() });
    expect(got.code).toBe(1);
    expect(got.stderr).toMatch(/\/grid\/vo\/run1\/c\.dat: no replica could be read: srm:\/\/se1\.example\.org\/dpm\/grid\/vo\/run1\/c\.dat: corrupt: adler32 \w+, the catalog records \w+ \(ChecksumMismatch\)/);
    expect(existsSync(join(out, 'c.dat'))).toBe(false);
    // b.dat has a good copy on tape: fetched from there despite --se se1.
    expect(readFileSync(join(out, 'b.dat')).equals(readFileSync(join(svc.dir, 'src', 'b.dat')))).toBe(true);
    expect(got.stdout).toMatch(/got 1 of 2 files/);
  });

  it('put refuses a read-only SE and an unknown one before moving any byte; other bytes under an existing LFN are refused', async () => {
    const source = local('d.dat', 'delta');
    const readonly = await svc.replicat(['put', '--se', 'se3', source, '/grid/vo/run1/d.dat'], { env: env() });
    expect(readonly.code).toBe(2);
    expect(readonly.stderr).toContain('readonly');
    expect((await svc.replicat(['put', '--se', 'nope', source, '/grid/vo/run1/d.dat'], { env: env() })).code).toBe(2);
    const clash = await svc.replicat(['put', '--se', 'se2', source, '/grid/vo/run1/a.dat'], { env: env() });
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('another size or checksum');
    expect(existsSync(join(areas.se2, 'tape/grid/vo/run1/a.dat'))).toBe(false);
  });

  it('needs an SRM: --srm, REPLICAT_SRM or the config file', async () => {
    const missing = await svc.replicat(['get', '/grid/vo/run1/a.dat', join(svc.dir, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no SRM given');
    writeFileSync(join(svc.dir, 'config.json'), JSON.stringify({ srm: { se1: srmUrl } }));
    const fromConfig = await svc.replicat(['get', '/grid/vo/run1/a.dat', join(svc.dir, 'from-config.dat')], { env: { REPLICAT_CONFIG: join(svc.dir, 'config.json') } });
    expect(fromConfig.code).toBe(0);
  });

  it('se ls lists the registry: name, host, status, SURL prefixes', async () => {
    const run = await svc.replicat(['se', 'ls']);
    expect(run.code).toBe(0);
    expect(run.lines.map((l) => l.split(/ +/))).toEqual([
      ['se1', 'se1.example.org', 'online', 'srm://se1.example.org/dpm/'],
      ['se2', 'se2.example.org', 'online,nearline', 'srm://se2.example.org/tape/'],
      ['se3', 'se3.example.org', 'readonly', 'srm://se3.example.org/ro/'],
    ]);
  });

  it('listse names the SEs by their registry names, the host only for an unregistered one', async () => {
    expect((await svc.replicat(['put', '--se', 'se1', local('names.dat', 'names'), '/grid/vo/names.dat'], { env: env() })).code).toBe(0);
    expect((await svc.tool('glite-catalog-addreplica', ['/grid/vo/names.dat', 'srm://elsewhere.example.org/x/names.dat'])).code).toBe(0);
    expect((await svc.tool('glite-seindex-listse', ['/grid/vo/names.dat'])).lines).toEqual(['se1', 'elsewhere.example.org']);
  });

  it('exits 3 when the SRM cannot be reached, as for the catalog', async () => {
    const down = await svc.replicat(['get', '--srm', 'http://127.0.0.1:9', '/grid/vo/run1/a.dat', join(svc.dir, 'down.dat')]);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('the SRM did not answer');
    const putDown = await svc.replicat(['put', '--srm', 'http://127.0.0.1:9', '--se', 'se1', local('down.dat', 'down'), '/grid/vo/down.dat']);
    expect(putDown.code).toBe(3);
  });

  it('rm --replicas-and-bytes removes the bytes through the SRM, then the file; a replica whose bytes stay stays registered', async () => {
    expect((await svc.replicat(['put', '--se', 'se1', local('gone.dat', 'gone'), '/grid/vo/gone.dat'], { env: env() })).code).toBe(0);
    const bytes = join(areas.se1, 'dpm/grid/vo/gone.dat');
    expect(existsSync(bytes)).toBe(true);
    const gone = await svc.replicat(['rm', '--replicas-and-bytes', '/grid/vo/gone.dat'], { env: env() });
    expect(gone).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(bytes)).toBe(false);
    expect((await svc.tool('glite-catalog-stat', ['/grid/vo/gone.dat'])).code).toBe(1);

    // names.dat: bytes on se1 (its SRM is given) and a replica on an SE with no SRM, which cannot be removed.
    const namesBytes = join(areas.se1, 'dpm/grid/vo/names.dat');
    const partial = await svc.replicat(['rm', '--replicas-and-bytes', '--srm', `se1=${srmUrl}`, '/grid/vo/names.dat']);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/^replicat rm: \/grid\/vo\/names\.dat srm:\/\/elsewhere\.example\.org\/x\/names\.dat: bytes not removed, replica kept: no SRM given for storage element elsewhere\.example\.org .*\(NoSrm\)\n$/);
    expect(existsSync(namesBytes)).toBe(false);
    expect((await svc.tool('glite-catalog-getreplica', ['/grid/vo/names.dat'])).lines).toEqual(['srm://elsewhere.example.org/x/names.dat']);

    const dir = await svc.replicat(['rm', '--replicas-and-bytes', '/grid/vo/run1'], { env: env() });
    expect(dir.code).toBe(1);
    expect(dir.stderr).toContain('not a file');
  });
});
