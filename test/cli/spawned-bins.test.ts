import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startCliService, type CliTestService } from './cli-harness';

// The other CLI tests call the commands in-process; these run the built bins as separate processes, the way a
// person or a script does after `npm install`, including a 100,000-line import with a few bad lines.
jest.setTimeout(900_000);

const run = promisify(execFile);
const ROOT = join(__dirname, '../..');
const bin = (name: string) => join(ROOT, 'dist/src', name === 'replicat' ? 'main.js' : `cli/bin/${name}.js`);

let svc: CliTestService;

async function spawn(name: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin(name), ...args], {
      env: { PATH: process.env.PATH, HOME: svc.dir, REPLICAT_ENDPOINT: svc.baseUrl },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

beforeAll(async () => {
  svc = await startCliService();
});
afterAll(() => svc.close());

describe('the built bins, spawned', () => {
  it('glite-catalog-mkdir -p, -create, -ls -l and -getreplica -l with only REPLICAT_ENDPOINT set', async () => {
    expect(await spawn('glite-catalog-mkdir', ['-p', '/grid/vo/spawned'])).toMatchObject({ code: 0 });
    expect(await spawn('glite-catalog-create', ['--surl', 'srm://se1.example.org/vo/a.root', '/grid/vo/spawned/a.root'])).toMatchObject({ code: 0 });
    const ls = await spawn('glite-catalog-ls', ['-l', '/grid/vo/spawned']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/a\.root/);
    const replicas = await spawn('glite-catalog-getreplica', ['-l', '/grid/vo/spawned/a.root']);
    expect(replicas.code).toBe(0);
    expect(replicas.stdout).toContain('srm://se1.example.org/vo/a.root');
  });

  it('exits 1 with one stderr line per failed item, 2 on usage errors', async () => {
    const missing = await spawn('glite-catalog-stat', ['/grid/vo/spawned/a.root', '/grid/vo/spawned/none']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual([expect.stringMatching(/\/grid\/vo\/spawned\/none.*NotExists/)]);
    expect((await spawn('glite-catalog-ls', ['relative/path'])).code).toBe(2);
  });

  it('replicat import of 100,000 lines with a few bad ones: the bad ones reported, the rest imported', async () => {
    const file = join(svc.dir, 'files-100k.ndjson');
    const bad = new Set([17, 50_000, 99_999]);
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const lfn = `/grid/vo/import/d${Math.floor(i / 1000)}/f${i}`;
      lines.push(bad.has(i) ? JSON.stringify({ lfn: `relative/f${i}`, size: 1 }) : JSON.stringify({ lfn, size: i, surls: [`srm://se1.example.org/import/${i}`] }));
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const imported = await spawn('replicat', ['import', file]);
    expect(imported.code).toBe(1);
    const failures = readFileSync(`${file}.failures.ndjson`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; code: string });
    expect(failures.map((f) => [f.line, f.code])).toEqual([...bad].map((i) => [i + 1, 'InvalidArgument']));
    const files = await svc.catalog.database.db
      .selectFrom('entries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('kind', '=', 'file')
      .where('lfn', 'like', '/grid/vo/import/%')
      .executeTakeFirstOrThrow();
    expect(Number(files.n)).toBe(99_997);

    // Re-running skips what is there: nothing new, the same three failures.
    const again = await spawn('replicat', ['import', file]);
    expect(again.code).toBe(1);
    expect(existsSync(`${file}.failures.ndjson`)).toBe(true);
  });
});
