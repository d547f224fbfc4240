/**
 * The broker's rank query on PostgreSQL (issue 7): 10,000 and 100,000 input names (`--names`) against a
 * catalog of `--files` files with two or three replicas each on ten SEs, through core alone and through
 * REST (the streaming body reader included, JSON and text/plain), as the owner (rights checked in SQL) and
 * as an administrator.
 *
 *   npm run build && node dist/bench/rank.js [--files 200000] [--names 10000,100000] [--repeat 5] [--keep] [--reuse DATABASE]
 *
 * Names are spread over the catalog, every 100th unknown; with more names than files, files are named
 * several times (the service counts each once).
 *
 * `--keep` leaves the database behind; `--reuse` runs the queries on such a database again without
 * registering anything (filling 200,000 files takes a minute or two).
 *
 * Besides wall time, each scenario reports the CPU time it cost, split into this process (client and, for
 * REST, the service: parsing the body, the names, the answer) and the PostgreSQL backends of the database,
 * read from /proc when the server is local — because wall time on a shared machine measures the neighbours
 * as much as the query. Parallel query is turned off for the bench database so that no worker's CPU goes
 * uncounted.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import pino from 'pino';
import * as core from '../src/core';
import * as storage from '../src/core/storage';
import type { CatalogContext, Identity } from '../src/core/context';
import { migrate } from '../src/db/migrator';
import { openPostgres } from '../src/db/postgres/postgres-database';
import { createRestApp } from '../src/rest/app';

const arg = (argv: string[], name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};

const SES = 10;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const files = arg(argv, 'files', 200_000);
  const repeat = arg(argv, 'repeat', 5);
  const nameCounts = (argv.includes('--names') ? argv[argv.indexOf('--names') + 1]! : '10000,100000').split(',').map(Number);
  const reuse = argv.indexOf('--reuse') >= 0 ? argv[argv.indexOf('--reuse') + 1] : undefined;
  const keep = argv.includes('--keep') || reuse !== undefined;
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = reuse ?? `replicat_rankbench_${randomUUID().replaceAll('-', '')}`;
  if (!/^replicat_rankbench_[0-9a-f]{32}$/.test(name)) throw new Error(`not a rank bench database: ${name}`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  if (reuse === undefined) await admin.query(`CREATE DATABASE ${name}`);
  await admin.query(`ALTER DATABASE ${name} SET max_parallel_workers_per_gather = 0`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = openPostgres({ url: url.toString(), poolSize: 4, connectTimeoutMs: 5000, statementTimeoutMs: 600_000 });
  const owner: Identity = { dn: '/CN=bench', group: 'bench', groups: [] };
  const limits = { maxItems: 10_000, defaultPageSize: 1000, maxPageSize: 10_000 };
  const ctx: CatalogContext = { db: handle.db, identity: owner, limits };
  const asAdmin: CatalogContext = { ...ctx, identity: { ...owner, admin: true } };
  const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  const populate = async () => {
    await migrate(handle);
    await core.setRootOwner(handle.db, owner.dn, '');
    await storage.registerStorageElements(
      asAdmin,
      Array.from({ length: SES }, (_, s) => ({
        name: `se${s}.example.org`,
        host: `se${s}.example.org`,
        surlPrefixes: [`srm://se${s}.example.org/dpm/`],
        status: s === SES - 1 ? 'offline' : 'online',
        protocols: [{ scheme: 'https', turlTemplate: `https://se${s}.example.org:8443/data{path}` }],
      })),
    );
    const dirs = Math.ceil(files / perDir);
    await core.makeDirectories(ctx, Array.from({ length: dirs }, (_, d) => ({ lfn: `/vo/data/d${d}`, parents: true })));
    const started = performance.now();
    for (let from = 0; from < files; from += limits.maxItems) {
      const batch = Array.from({ length: Math.min(limits.maxItems, files - from) }, (_, k) => {
        const i = from + k;
        const copies = 2 + (i % 2);
        return {
          lfn: lfnOf(i),
          size: 1000 + (i % 5000),
          replicas: Array.from({ length: copies }, (_, c) => ({ surl: `srm://se${(i + c * 3) % SES}.example.org/dpm/vo/f${i}` })),
        };
      });
      const results = await core.createFiles(ctx, batch);
      if (results.some((r) => !r.ok)) throw new Error('file registration failed');
    }
    log(`registered ${files} files with ${Math.round(files * 2.5)} replicas on ${SES} SEs in ${Math.round(performance.now() - started)} ms`);
  };
  const perDir = 1000;
  const lfnOf = (i: number) => `/vo/data/d${Math.floor(i / perDir)}/f${i}.root`;
  try {
    if (reuse === undefined) await populate();
    const raw = new pg.Client({ connectionString: url.toString() });
    await raw.connect();
    // Steady state, as autovacuum keeps a catalog: hint bits and the visibility map set, statistics fresh. Right
    // after filling, the first reads of every page write hint bits, and the first run measures that.
    await raw.query('VACUUM (ANALYZE)');

    const app = createRestApp({ database: handle, limits: { ...limits, maxBodyBytes: 32 * 1024 * 1024 }, identify: () => owner, logger: pino({ level: 'silent' }) });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const restRank = async (type: string, payload: string) => {
      const res = await fetch(`${base}/api/v1/storage-index/rank`, { method: 'POST', headers: { 'content-type': type }, body: payload });
      if (res.status !== 200) throw new Error(`rank answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { ses: unknown[]; files: number };
    };

    const local = existsSync('/proc/self/stat') && ['127.0.0.1', 'localhost', '::1'].includes(url.hostname);
    /** CPU milliseconds used so far by this process and by the database's backends (null when not measurable). */
    const cpuNow = async (): Promise<{ own: number; db: number } | null> => {
      if (!local) return null;
      const pids = (await raw.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)).rows.map((r) => r.pid);
      let ticks = 0;
      for (const pid of pids) {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(fields[11]) + Number(fields[12]);
      }
      const own = process.cpuUsage();
      return { own: (own.user + own.system) / 1000, db: ticks * 10 };
    };
    console.log('scenario                                     names   p50 ms   min ms   CPU ms  (node +    db)   SEs   files');
    for (const count of nameCounts) {
      console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
      // Every 100th name is unknown, so the missing-name path is measured too; names spread over the catalog.
      const names = Array.from({ length: count }, (_, k) => (k % 100 === 99 ? `lfn:/vo/data/none/n${k}` : `lfn:${lfnOf((Math.floor((k * files) / count) + (k % 7)) % files)}`));
      const body = JSON.stringify({ lfns: names });
      const text = names.join('\n');
      const scenarios: [string, () => Promise<storage.Ranking | { ses: unknown[]; files: number }>][] = [
        ['core rank (owner: rights in SQL)', () => storage.rankStorageElements(ctx, { names })],
        ['core rank (admin)', () => storage.rankStorageElements(asAdmin, { names })],
        [
          'raw SQL baseline (join + group by host)',
          async () => {
            // What the count costs with nothing else: no rights, no SE registry, no missing names.
            const plain = names.map((n) => n.slice(4));
            const result = await raw.query(
              `SELECT r.se, count(DISTINCT e.guid) AS files, sum(e.size) AS bytes FROM entries e JOIN replicas r ON r.guid = e.guid
               WHERE e.lfn = any($1::text[]) GROUP BY r.se`,
              [plain],
            );
            return { ses: result.rows, files: 0 };
          },
        ],
        ['REST rank, JSON body streamed (owner)', () => restRank('application/json', body)],
        ['REST rank, text/plain body (owner)', () => restRank('text/plain', text)],
      ];
      for (const [label, run] of scenarios) {
        const times: number[] = [];
        const cpu: { own: number; db: number }[] = [];
        let last: { ses: readonly unknown[]; files: number } | undefined;
        for (let r = 0; r < repeat; r++) {
          const cpuBefore = await cpuNow();
          const t = performance.now();
          last = await run();
          times.push(performance.now() - t);
          const cpuAfter = await cpuNow();
          if (cpuBefore !== null && cpuAfter !== null) cpu.push({ own: cpuAfter.own - cpuBefore.own, db: cpuAfter.db - cpuBefore.db });
        }
        const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
        const p50 = median(times)!;
        // The run whose total CPU is the median, with its split.
        const cpu50 = [...cpu].sort((a, b) => a.own + a.db - (b.own + b.db))[Math.floor(cpu.length / 2)];
        const ms = (value: number | undefined, width: number) => (value === undefined ? '-' : value.toFixed(0)).padStart(width);
        console.log(
          `${label.padEnd(42)} ${String(count).padStart(7)} ${ms(p50, 8)} ${ms(Math.min(...times), 8)} ${ms(cpu50 && cpu50.own + cpu50.db, 8)}  (${ms(cpu50?.own, 5)} + ${ms(cpu50?.db, 5)}) ${String(last!.ses.length).padStart(5)} ${String(last!.files).padStart(7)}`,
        );
      }
    }
    server.close();
    await raw.end();
  } finally {
    await handle.close();
    if (!keep) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    else console.log(`kept database ${name}`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
