import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { ReplicatClient } from '@replicat/sdk';
import { packageRoot } from '../src/package-root';

/** `node dist/src/main.js ARGS…` running: its JSON log lines, and its URL once it says it listens. */
export class GridProcess {
  readonly name: string;
  /** Its log lines (info and up: the "listening on" line tells the URL). */
  readonly lines: string[] = [];
  stderr = '';
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;

  constructor(name: string, args: readonly string[], env: Readonly<Record<string, string>>) {
    this.name = name;
    this.#child = spawn(process.execPath, [join(packageRoot(), 'dist/src/main.js'), ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#exited = new Promise((resolve) => this.#child.once('close', (code) => resolve(code)));
    createInterface({ input: this.#child.stdout! }).on('line', (line) => this.lines.push(line));
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /** The URL its "listening on" line gives. */
  async listening(timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.lines) {
        const match = / listening on (https?:\/\/\S+)/.exec(line);
        if (match !== null) return match[1]!.replace('localhost', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
      }
      if (this.#child.exitCode !== null) throw new Error(`${this.name} exited with ${this.#child.exitCode}: ${this.stderr}${this.lines.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not listen in ${timeoutMs} ms: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<number | null> {
    if (this.#child.exitCode === null) this.#child.kill('SIGTERM');
    const killer = setTimeout(() => this.#child.kill('SIGKILL'), 30_000);
    try {
      return await this.#exited;
    } finally {
      clearTimeout(killer);
    }
  }
}

export interface GridSe {
  readonly name: string;
  readonly nearline?: boolean;
}

export interface GridOptions {
  /** Scratch directory: the database (PGlite), the SEs' directories, the TURL secret. */
  readonly dir: string;
  readonly ses: readonly GridSe[];
  /** How long a nearline SE stages a file (seconds). */
  readonly stagingDelaySeconds: number;
  /** A PostgreSQL server to make a fresh database on; absent: the catalog runs on PGlite in `dir`. */
  readonly postgresUrl?: string;
}

export const GRID_ADMIN = { username: 'admin', password: 'grid-admin-password' };

/**
 * A small grid on loopback ports, as three processes of the built package: the catalog (`replicat serve`),
 * a storage process serving the SEs' directories (`replicat storage`) and the mock SRM (`replicat srm
 * --no-data`), sharing only the TURL secret and the directories. The SEs are registered with TURL rules
 * pointing at the storage process.
 */
export class Grid {
  readonly catalogUrl: string;
  readonly srmUrl: string;
  readonly storageUrl: string;
  readonly areas: ReadonlyMap<string, string>;
  readonly #processes: GridProcess[];
  readonly #dropDatabase: (() => Promise<void>) | undefined;

  private constructor(fields: { catalogUrl: string; srmUrl: string; storageUrl: string; areas: Map<string, string>; processes: GridProcess[]; dropDatabase?: () => Promise<void> }) {
    this.catalogUrl = fields.catalogUrl;
    this.srmUrl = fields.srmUrl;
    this.storageUrl = fields.storageUrl;
    this.areas = fields.areas;
    this.#processes = fields.processes;
    this.#dropDatabase = fields.dropDatabase;
  }

  static async start(options: GridOptions): Promise<Grid> {
    const processes: GridProcess[] = [];
    let dropDatabase: (() => Promise<void>) | undefined;
    try {
      const database: Record<string, string> = {};
      if (options.postgresUrl !== undefined) {
        const name = `replicat_grid_${randomBytes(6).toString('hex')}`;
        await adminQuery(options.postgresUrl, `CREATE DATABASE ${name}`);
        dropDatabase = () => adminQuery(options.postgresUrl!, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        const url = new URL(options.postgresUrl);
        url.pathname = `/${name}`;
        database.DATABASE_URL = url.toString();
      } else {
        database.REPLICAT_DATA = join(options.dir, 'catalog-db');
      }
      const catalog = new GridProcess('catalog', ['serve'], { ...database, HOST: '127.0.0.1', PORT: '0', REPLICAT_ADMIN_PASSWORD: GRID_ADMIN.password });
      processes.push(catalog);
      const secret = randomBytes(32).toString('hex');
      const secretFile = join(options.dir, 'turl-secret');
      writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
      const areas = new Map(options.ses.map((se) => [se.name, join(options.dir, se.name)]));
      for (const area of areas.values()) mkdirSync(area, { recursive: true });
      const seArgs = [...areas].flatMap(([name, area]) => ['--se', `${name}=${area}`]);
      const storage = new GridProcess('storage', ['storage', ...seArgs, '--host', '127.0.0.1', '--port', '0', '--secret-file', secretFile], {});
      processes.push(storage);
      const [catalogUrl, storageUrl] = await Promise.all([catalog.listening(), storage.listening()]);
      await waitReady(catalogUrl);

      const admin = new ReplicatClient({ baseUrl: catalogUrl, credentials: { type: 'basic', ...GRID_ADMIN } });
      try {
        const registered = await admin.storageElements.register(
          options.ses.map((se) => ({
            name: se.name,
            host: `${se.name}.example.org`,
            surlPrefixes: [`srm://${se.name}.example.org/data/`],
            nearline: se.nearline === true,
            protocols: [{ scheme: 'http', turlTemplate: `${storageUrl}/data/${se.name}{path}` }],
          })),
        );
        const refused = registered.find((r) => !r.ok);
        if (refused !== undefined && !refused.ok) throw new Error(`registering the SEs: ${refused.error.message}`);
      } finally {
        await admin.close();
      }

      const srm = new GridProcess(
        'srm',
        ['srm', '--catalog', catalogUrl, ...seArgs, '--host', '127.0.0.1', '--port', '0', '--no-data', '--staging-delay', String(options.stagingDelaySeconds), '--secret-file', secretFile],
        { REPLICAT_USER: GRID_ADMIN.username, REPLICAT_PASSWORD: GRID_ADMIN.password },
      );
      processes.push(srm);
      const srmUrl = await srm.listening();
      return new Grid({ catalogUrl, srmUrl, storageUrl, areas, processes, ...(dropDatabase !== undefined ? { dropDatabase } : {}) });
    } catch (error) {
      await Promise.all(processes.map((p) => p.stop()));
      await dropDatabase?.();
      throw error;
    }
  }

  /** An admin client of the catalog. */
  catalog(): ReplicatClient {
    return new ReplicatClient({ baseUrl: this.catalogUrl, credentials: { type: 'basic', ...GRID_ADMIN } });
  }

  /** The environment a CLI process needs to reach this grid as the admin. */
  cliEnv(): Record<string, string> {
    return { REPLICAT_ENDPOINT: this.catalogUrl, REPLICAT_SRM: this.srmUrl, REPLICAT_USER: GRID_ADMIN.username, REPLICAT_PASSWORD: GRID_ADMIN.password };
  }

  /** Stops the three processes (SIGTERM: they drain) and answers their exit codes. */
  async stop(): Promise<(number | null)[]> {
    const codes = await Promise.all(this.#processes.map((p) => p.stop()));
    await this.#dropDatabase?.();
    return codes;
  }
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`the catalog at ${url} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
