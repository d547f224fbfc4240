import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STARTUP_MS, startCliService, type CliTestService } from './cli-harness';

// An import of thousands of lines shares the machine with other test files: more than jest's 60 s per test.
jest.setTimeout(STARTUP_MS);

let svc: CliTestService;
beforeAll(async () => {
  svc = await startCliService();
}, STARTUP_MS);
afterAll(async () => svc.close());

const guid = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** NDJSON lines for files 0..n-1 under a few directories, with the bad lines asked for replaced. */
function ndjson(n: number, bad: ReadonlyMap<number, string> = new Map()): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      bad.get(i) ??
        JSON.stringify({
          lfn: `/grid/imp/d${i % 7}/f${i}`,
          guid: `guid:${guid(i)}`,
          size: i,
          checksum: `adler32:${(i + 1).toString(16)}`,
          surls: [`srm://se${i % 3}.example.org/imp/f${i}`],
        }),
    );
  }
  return `${lines.join('\n')}\n`;
}

interface Failure {
  line: number;
  lfn?: string;
  code: string;
  message: string;
  input: string;
}
const failuresOf = (path: string): Failure[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Failure);

describe('replicat import', () => {
  const BAD = new Map([
    [5, '{"lfn": "relative/path"}'],
    [1234, 'not json'],
    [4321, JSON.stringify({ lfn: '/grid/imp/x', size: -1 })],
  ]);

  it('registers every good line, reports the bad ones in the failure file, and exits 1', async () => {
    const file = join(svc.dir, 'files.ndjson');
    writeFileSync(file, ndjson(5000, BAD));
    const run = await svc.replicat(['import', '--batch', '700', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(`^imported ${file}: 4997 registered, 0 already there, 3 failed \\(see ${file}\\.failures\\.ndjson\\); 5000 lines in [\\d.]+ s, \\d+ files/s\\n$`),
    );
    expect(failuresOf(`${file}.failures.ndjson`).map((f) => [f.line, f.code])).toEqual([
      [6, 'InvalidArgument'],
      [1235, 'InvalidArgument'],
      [4322, 'InvalidArgument'],
    ]);
    expect(failuresOf(`${file}.failures.ndjson`)[1]).toMatchObject({ input: 'not json', message: expect.stringMatching(/^not JSON/) });
    const [entry] = (await svc.tool('glite-catalog-stat', ['--json', '/grid/imp/d3/f10'])).lines.map((l) => JSON.parse(l) as { entry: object });
    expect(entry!.entry).toMatchObject({ guid: guid(10), size: 10, checksum: { type: 'adler32', value: '0000000b' } });
    expect((await svc.tool('glite-catalog-getreplica', ['/grid/imp/d3/f10'])).stdout).toBe('srm://se1.example.org/imp/f10\n');
  });

  it('resumes: a re-run counts what is there as done and registers only what is missing', async () => {
    const file = join(svc.dir, 'files.ndjson');
    expect((await svc.tool('glite-catalog-rm', ['/grid/imp/d0/f7', '/grid/imp/d1/f8'])).code).toBe(0);
    const run = await svc.replicat(['import', '--batch', '700', '--json', file]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ lines: 5000, created: 2, existed: 4995, failed: 3, failures: `${file}.failures.ndjson` });
  });

  it('fails a line whose LFN holds another file, and removes a stale failure file when nothing fails', async () => {
    const file = join(svc.dir, 'conflict.ndjson');
    writeFileSync(file, `${JSON.stringify({ lfn: '/grid/imp/d0/f0', guid: guid(999_999) })}\n${JSON.stringify({ lfn: '/grid/imp/d0/f0', size: 0 })}\n`);
    const run = await svc.replicat(['import', file]);
    expect(run.code).toBe(1);
    expect(failuresOf(`${file}.failures.ndjson`)).toEqual([
      expect.objectContaining({ line: 1, code: 'Exists', message: `/grid/imp/d0/f0: exists with another GUID (${guid(0)})` }),
    ]);
    writeFileSync(file, `${JSON.stringify({ lfn: '/grid/imp/d0/f0', size: 0 })}\n`);
    expect((await svc.replicat(['import', '-q', file])).code).toBe(0);
    expect(existsSync(`${file}.failures.ndjson`)).toBe(false);
  });

  it('reads CSV with a header, quoted cells and several SURLs a cell', async () => {
    const file = join(svc.dir, 'files.csv');
    writeFileSync(
      file,
      [
        'lfn,size,adler32,surls',
        '/grid/csv/a.root,10,1a,srm://se1.example.org/csv/a.root srm://se2.example.org/csv/a.root',
        '"/grid/csv/with,comma.root",20,,',
        '/grid/csv/bad.root,ten,,',
      ].join('\r\n'),
    );
    const run = await svc.replicat(['import', '--failures', join(svc.dir, 'csv-failures.ndjson'), file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/: 2 registered, 0 already there, 1 failed/);
    expect(failuresOf(join(svc.dir, 'csv-failures.ndjson'))).toEqual([expect.objectContaining({ line: 4, code: 'InvalidArgument' })]);
    expect((await svc.tool('glite-seindex-listse', ['/grid/csv/a.root'])).lines).toEqual(['se1.example.org', 'se2.example.org']);
    expect((await svc.tool('glite-catalog-ls', ['/grid/csv'])).lines).toEqual(['a.root', 'with,comma.root']);
  });

  it('reads standard input, and refuses a CSV header it does not know (exit 2)', async () => {
    const run = await svc.replicat(['import', '--format', 'csv', '--failures', join(svc.dir, 'stdin-failures.ndjson'), '-'], {
      stdin: 'lfn,guid\n/grid/stdin/a,\n/grid/stdin/b,\n',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^imported -: 2 registered/);
    const bad = await svc.replicat(['import', '--format', 'csv', '-'], { stdin: 'name,size\nx,1\n' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown CSV column\(s\) name/);
  });

  it('shows periodic lines when stdout is not a terminal, and a bar when it is', async () => {
    const file = join(svc.dir, 'progress.ndjson');
    writeFileSync(file, ndjson(300).replaceAll('imp/', 'progress/').replace(/"guid":"[^"]*",/g, ''));
    const plain = await svc.replicat(['import', '--batch', '100', '--progress-interval', '0', file]);
    expect(plain.lines.filter((l) => l.startsWith('import: '))).not.toHaveLength(0);
    expect(plain.lines.at(-1)).toMatch(/^imported .*: 0 registered, 300 already there|^imported .*: 300 registered/);
    const bar = await svc.replicat(['import', '--batch', '100', file], { tty: true });
    expect(bar.stdout).toMatch(/100% \| 300 lines \| 0 new, 300 there, 0 failed/);
  });
});
