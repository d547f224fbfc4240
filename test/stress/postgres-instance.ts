import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL server of the stress suite's own, in a temporary directory on its own port: the fault
 * scenarios stop, restart and pause it, which must never happen to a server others are using.
 * As root it runs as the `postgres` user (PostgreSQL refuses to run as root).
 *
 * ```ts
 * const pg = await PostgresInstance.create(55432);
 * pg.pause(); ...; pg.resume();
 * await pg.destroy();
 * ```
 */
export class PostgresInstance {
  readonly port: number;
  readonly dir: string;
  readonly #bin: string;

  private constructor(port: number, dir: string, bin: string) {
    this.port = port;
    this.dir = dir;
    this.#bin = bin;
  }

  static async create(port: number): Promise<PostgresInstance> {
    const bin = postgresBinaries();
    const dir = mkdtempSync(join(tmpdir(), 'replicat-stress-pg-'));
    if (process.getuid?.() === 0) chownSync(dir, postgresUid(), postgresGid());
    const instance = new PostgresInstance(port, dir, bin);
    await instance.#run('initdb', ['-D', instance.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await instance.start();
    return instance;
  }

  /**
   * A streaming standby of `primary` (pg_basebackup -R: a copy of its data directory that keeps
   * replaying its WAL), on a port of its own; `promote()` makes it a primary.
   */
  static async createStandby(primary: PostgresInstance, port: number): Promise<PostgresInstance> {
    const bin = postgresBinaries();
    const dir = mkdtempSync(join(tmpdir(), 'replicat-stress-pg-'));
    if (process.getuid?.() === 0) chownSync(dir, postgresUid(), postgresGid());
    const instance = new PostgresInstance(port, dir, bin);
    const source = ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'];
    await instance.#run('pg_basebackup', [...source, '-D', instance.dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
    await instance.start();
    return instance;
  }

  /** Ends recovery: the standby becomes a writable primary (what a failover does). */
  promote(): Promise<void> {
    return this.#run('pg_ctl', ['-D', this.dataDir, '-w', '-t', '60', 'promote']);
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  start(): Promise<void> {
    const settings = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      "-c listen_addresses=127.0.0.1",
      '-c max_connections=300',
      '-c shared_buffers=128MB',
      '-c fsync=on',
    ].join(' ');
    return this.#run('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-o', settings, '-w', '-t', '60', 'start']);
  }

  /** A fast shutdown: sessions are ended, their transactions rolled back, as on a real restart. */
  stop(): Promise<void> {
    return this.#run('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  /** Freezes the server and every backend (SIGSTOP): connections stay open and nothing answers. */
  pause(): void {
    for (const pid of this.#processes()) process.kill(pid, 'SIGSTOP');
  }

  resume(): void {
    for (const pid of this.#processes()) process.kill(pid, 'SIGCONT');
  }

  async destroy(): Promise<void> {
    try {
      this.resume();
      await this.#run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The postmaster and its children (backends, checkpointer, walwriter, ...). */
  #processes(): number[] {
    const pidFile = join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return [];
    const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    const children = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          // Field 4 of /proc/<pid>/stat is the parent; the command name before it may hold spaces.
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      })
      .map(Number);
    return [postmaster, ...children];
  }

  /** Runs a PostgreSQL tool without blocking: the load clients keep running while the server stops. */
  #run(tool: string, args: string[]): Promise<void> {
    const command = join(this.#bin, tool);
    const [file, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    return new Promise((resolve, reject) => {
      execFile(file, argv, { cwd: this.dir, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${tool} failed: ${stderr || stdout || error.message}`));
        else resolve();
      });
    });
  }
}

/** The newest installed server's binaries (Debian keeps them under /usr/lib/postgresql/<major>/bin), or PG_BIN. */
function postgresBinaries(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('no PostgreSQL server binaries found (apt-get install postgresql, or set PG_BIN)');
  }
}

function postgresUid(): number {
  return Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
}

function postgresGid(): number {
  return Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
}
