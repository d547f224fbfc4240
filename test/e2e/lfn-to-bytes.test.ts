import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ReplicatClient } from '@replicat/sdk';
import { Grid } from '../../bench/grid-processes';

// From LFN to bytes as a grid user lives it, with every part its own process: the catalog (`replicat
// serve`), the mock SRM (`replicat srm --no-data`) and a storage process (`replicat storage`), driven by the
// built `replicat put` / `get` and the SDK, as README's walkthrough does. Two SEs: se1 on disk, se2 on tape.
jest.setTimeout(600_000);

const execute = promisify(execFile);
const MAIN = join(__dirname, '../../dist/src/main.js');
const FILES = 100;
const STAGING_SECONDS = 1;

let dir: string;
let grid: Grid;
let catalog: ReplicatClient;
const names = Array.from({ length: FILES }, (_, i) => `f${String(i).padStart(3, '0')}.dat`);
const lfn = (name: string) => `/grid/e2e/set/${name}`;
const source = (name: string) => join(dir, 'src', name);

async function replicat(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execute(process.execPath, [MAIN, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...grid.cliEnv() },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const sameBytes = (a: string, b: string) => readFileSync(a).equals(readFileSync(b));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replicat-e2e-'));
  mkdirSync(join(dir, 'src'));
  // Sizes from empty to 64 KiB, random content.
  names.forEach((name, i) => writeFileSync(source(name), randomBytes(i === 0 ? 0 : Math.floor(Math.random() * 65_536))));
  grid = await Grid.start({
    dir,
    ses: [{ name: 'se1' }, { name: 'se2', nearline: true }],
    stagingDelaySeconds: STAGING_SECONDS,
    ...(process.env.DATABASE_URL !== undefined ? { postgresUrl: process.env.DATABASE_URL } : {}),
  });
  catalog = grid.catalog();
});

afterAll(async () => {
  await catalog?.close();
  if (grid !== undefined) expect(await grid.stop()).toEqual([0, 0, 0]);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('from LFN to bytes: catalog, SRM and storage as three processes', () => {
  it('puts 100 files on two SEs: each registered with size, adler32 and its replica', async () => {
    const disk = await replicat(['put', '--se', 'se1', ...names.slice(0, 50).map(source), '/grid/e2e/set/']);
    expect(disk).toMatchObject({ code: 0, stderr: '' });
    expect(disk.stdout).toMatch(/put 50 of 50 files/);
    const tape = await replicat(['put', '--se', 'se2', ...names.slice(50).map(source), '/grid/e2e/set/']);
    expect(tape).toMatchObject({ code: 0, stderr: '' });
    // The first ten get a second copy, on tape.
    expect((await replicat(['put', '--se', 'se2', ...names.slice(0, 10).map(source), '/grid/e2e/set/'])).code).toBe(0);

    const stats = await catalog.entries.stat(names.map(lfn));
    stats.forEach((stat, i) => expect(stat).toMatchObject({ ok: true, entry: { kind: 'file', size: readFileSync(source(names[i]!)).length, checksum: { type: 'adler32' } } }));
    const replicas = await catalog.replicas.list(names.map(lfn));
    expect(replicas.map((r) => (r.ok ? r.replicas.length : -1))).toEqual(names.map((_, i) => (i < 10 ? 2 : 1)));
    expect(readdirSync(join(grid.areas.get('se1')!, 'data/grid/e2e/set')).sort()).toEqual(names.slice(0, 50));
  });

  it('ranks the SEs for a job needing all 100 files, best first', async () => {
    const ranking = await catalog.storageIndex.rank(names.map((n) => `lfn:${lfn(n)}`), ['http']);
    expect(ranking.missing ?? []).toEqual([]);
    expect(ranking.ses.map((se) => [se.se, se.files, se.fraction])).toEqual([
      ['se2', 60, 0.6],
      ['se1', 50, 0.5],
    ]);
    expect(ranking.ses[0]).toMatchObject({ nearline: true, status: 'online', protocols: ['http'] });
  });

  it('gets all 100 back byte-identical, waiting out the tape staging', async () => {
    const out = join(dir, 'out-all');
    const started = Date.now();
    const got = await replicat(['get', '--parallel', '8', '/grid/e2e/set/*', out]);
    expect(got).toMatchObject({ code: 0, stderr: '' });
    expect(got.stdout).toMatch(/got 100 of 100 files/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(STAGING_SECONDS * 1000);
    for (const name of names) expect(sameBytes(join(out, name), source(name))).toBe(true);
  });

  it('with the disk SE offline, get reads the tape copies; files with no other copy fail with the reason', async () => {
    await catalog.storageElements.update('se1', { status: 'offline' });
    try {
      const out = join(dir, 'out-offline');
      const got = await replicat(['get', ...names.slice(0, 12).map(lfn), out]);
      expect(got.code).toBe(1);
      for (const name of names.slice(0, 10)) expect(sameBytes(join(out, name), source(name))).toBe(true);
      expect(got.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/f010\.dat: no usable replica: .*storage element se1 is offline \(NoReplica\)/),
        expect.stringMatching(/f011\.dat: no usable replica: .*storage element se1 is offline \(NoReplica\)/),
      ]);
      expect(existsSync(join(out, names[10]!))).toBe(false);
    } finally {
      await catalog.storageElements.update('se1', { status: 'online' });
    }
  });

  it('a file corrupted on disk is detected by checksum and reported, never returned; a good copy elsewhere is used', async () => {
    const onDisk = (name: string) => join(grid.areas.get('se1')!, 'data/grid/e2e/set', name);
    const corrupt = (name: string) => {
      const bytes = readFileSync(onDisk(name));
      bytes[bytes.length >> 1]! ^= 0xff;
      writeFileSync(onDisk(name), bytes);
    };
    corrupt(names[5]!); // also on tape
    corrupt(names[20]!); // only here
    const out = join(dir, 'out-corrupt');
    const got = await replicat(['get', '--se', 'se1', lfn(names[5]!), lfn(names[20]!), out]);
    expect(got.code).toBe(1);
    expect(got.stderr).toMatch(/f020\.dat: no replica could be read: srm:\/\/se1\.example\.org\/data\/grid\/e2e\/set\/f020\.dat: corrupt: adler32 [0-9a-f]{8}, the catalog records [0-9a-f]{8} \(ChecksumMismatch\)/);
    expect(existsSync(join(out, names[20]!))).toBe(false);
    expect(readdirSync(out)).toEqual([names[5]]);
    expect(sameBytes(join(out, names[5]!), source(names[5]!))).toBe(true);
  });
});
