import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../src/package-root';
import { Grid } from './grid-processes';

/**
 * `replicat put` and `replicat get` of many small files through the three processes of a grid (catalog,
 * SRM, storage process), timed as a user sees them: each command a process of its own.
 *
 *   node dist/bench/get-files.js [--files 1000] [--size 1024] [--parallel 8] [--pglite]
 *
 * Uses PostgreSQL at DATABASE_URL (default the local server) unless --pglite.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) => {
    const at = args.indexOf(`--${name}`);
    return at === -1 ? fallback : Number(args[at + 1]);
  };
  const files = option('files', 1000);
  const size = option('size', 1024);
  const parallel = option('parallel', 8);
  const postgresUrl = args.includes('--pglite') ? undefined : (process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const dir = mkdtempSync(join(tmpdir(), 'replicat-get-bench-'));
  const grid = await Grid.start({ dir, ses: [{ name: 'se1' }], stagingDelaySeconds: 0, ...(postgresUrl !== undefined ? { postgresUrl } : {}) });
  try {
    mkdirSync(join(dir, 'src'));
    const names = Array.from({ length: files }, (_, i) => `f${String(i).padStart(6, '0')}`);
    for (const name of names) writeFileSync(join(dir, 'src', name), randomBytes(size));
    const replicat = async (command: readonly string[]) => {
      const started = process.hrtime.bigint();
      try {
        await promisify(execFile)(process.execPath, [join(packageRoot(), 'dist/src/main.js'), ...command], {
          env: { PATH: process.env.PATH, HOME: dir, ...grid.cliEnv() },
          maxBuffer: 64 * 1024 * 1024,
        });
      } catch (error) {
        // Not the error itself: its message repeats the whole command line, a thousand paths.
        const { code, stderr } = error as { code?: number; stderr?: string };
        throw new Error(`replicat ${command[0]} exited ${code}: ${(stderr ?? '').split('\n').slice(0, 5).join('\n')}`);
      }
      return Number(process.hrtime.bigint() - started) / 1e9;
    };
    const putSeconds = await replicat(['put', '--progress-interval', '3600', '--se', 'se1', '--parallel', String(parallel), ...names.map((n) => join(dir, 'src', n)), '/grid/bench/get/']);
    const getSeconds = await replicat(['get', '--progress-interval', '3600', '--parallel', String(parallel), '/grid/bench/get/*', join(dir, 'out')]);
    for (const name of names) {
      if (!readFileSync(join(dir, 'out', name)).equals(readFileSync(join(dir, 'src', name)))) throw new Error(`${name} came back different`);
    }
    const line = (verb: string, seconds: number) =>
      `| ${verb} | ${files} | ${size} | ${parallel} | ${seconds.toFixed(2)} | ${Math.round(files / seconds)} |`;
    console.log(`\nreplicat put/get through catalog + SRM + storage processes (${postgresUrl === undefined ? 'PGlite' : 'PostgreSQL'})\n`);
    console.log('| command | files | bytes each | parallel | seconds | files/s |\n|---|---:|---:|---:|---:|---:|');
    console.log(line('put', putSeconds));
    console.log(line('get', getSeconds));
  } finally {
    await grid.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
