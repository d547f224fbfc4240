/**
 * Metadata benchmark on PostgreSQL (issue 4): setting attributes over REST in 1,000-item requests, then
 * query latencies at scale with a raw-SQL baseline for the selective lookup.
 *
 *   npm run build && node dist/bench/metadata.js [--files 1000000] [--rest-files 100000] [--repeat 20] [--keep]
 *
 * Files get five attributes: run (int, unique), detector (string, ten values, so one value matches
 * 10%), quality (string), energy (float), taken (timestamp).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import * as core from '../src/core';
import { migrate } from '../src/db/migrator';
import { openPostgres } from '../src/db/postgres/postgres-database';
import { packageRoot } from '../src/package-root';
import { createRestApp } from '../src/rest/app';

const arg = (argv: string[], name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};

interface Latency {
  scenario: string;
  matches: number;
  p50ms: number;
  p95ms: number;
  maxms: number;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const files = arg(argv, 'files', 1_000_000);
  const restFiles = Math.min(files, arg(argv, 'rest-files', 100_000));
  const repeat = arg(argv, 'repeat', 20);
  // Leave the database behind for EXPLAIN ANALYZE by hand.
  const keep = argv.includes('--keep');
  const perDir = 1000;
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `replicat_metabench_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = openPostgres({ url: url.toString(), poolSize: 8, connectTimeoutMs: 5000, statementTimeoutMs: 3_600_000 });
  const limits = { maxItems: 100_000, defaultPageSize: 1000, maxPageSize: 10_000 };
  // The bench acts as an admin: it creates its schema, and the admin path is the one it measures.
  const ctx: core.CatalogContext = { db: handle.db, identity: { dn: '/CN=bench', group: '', groups: [], admin: true }, limits };
  const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  try {
    await migrate(handle);
    await core.createSchema(ctx, {
      name: 'bench',
      attributes: [
        { name: 'run', type: 'int' },
        { name: 'detector', type: 'string' },
        { name: 'quality', type: 'string' },
        { name: 'energy', type: 'float' },
        { name: 'taken', type: 'timestamp' },
        { name: 'campaign', type: 'string' },
      ],
    });
    const dirs = Math.ceil(files / perDir);
    await core.makeDirectories(ctx, Array.from({ length: dirs }, (_, d) => ({ lfn: `/b/d${d}`, parents: true })));
    const lfn = (i: number) => `/b/d${Math.floor(i / perDir)}/f${i}`;
    const attributes = (i: number) => ({
      run: i,
      detector: `det${i % 10}`,
      quality: i % 100 === 0 ? 'gold' : i % 3 === 0 ? 'bad' : 'good',
      energy: (i % 1000) / 10,
      taken: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
    });
    let started = performance.now();
    for (let from = 0; from < files; from += 10_000) {
      const batch = Array.from({ length: Math.min(10_000, files - from) }, (_, k) => ({ lfn: lfn(from + k) }));
      const made = await core.createFiles(ctx, batch);
      if (made.some((r) => !r.ok)) throw new Error('createFiles failed');
    }
    log(`registered ${files} files in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // Over REST, as a client would: 1,000-item requests, 4 in flight.
    const app = createRestApp({ database: handle, limits: { ...limits, maxBodyBytes: 64 * 1024 * 1024 }, identify: () => ctx.identity, logger: pino({ level: 'silent' }) });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    started = performance.now();
    let next = 0;
    const worker = async () => {
      for (;;) {
        const from = next;
        next += 1000;
        if (from >= restFiles) return;
        const items = Array.from({ length: Math.min(1000, restFiles - from) }, (_, k) => ({ lfn: lfn(from + k), attributes: attributes(from + k) }));
        const res = await fetch(`${base}/api/v1/attributes/set`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) });
        const body = (await res.json()) as { results: { ok: boolean }[] };
        if (res.status !== 200 || body.results.some((r) => !r.ok)) throw new Error(`set failed: ${res.status}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const restSeconds = (performance.now() - started) / 1000;
    server.close();
    log(`REST set 5 attributes on ${restFiles} files in ${restSeconds.toFixed(1)} s: ${Math.round(restFiles / restSeconds)} files/s`);

    started = performance.now();
    for (let from = restFiles; from < files; from += 10_000) {
      const items = Array.from({ length: Math.min(10_000, files - from) }, (_, k) => ({ lfn: lfn(from + k), attributes: attributes(from + k) }));
      const set = await core.setAttributes(ctx, items);
      if (set.some((r) => !r.ok)) throw new Error('setAttributes failed');
    }
    const coreSeconds = (performance.now() - started) / 1000;
    if (files > restFiles) log(`core set 5 attributes on ${files - restFiles} files in ${coreSeconds.toFixed(1)} s: ${Math.round((files - restFiles) / coreSeconds)} files/s`);
    await core.setAttributes(ctx, [{ lfn: `/b/d${Math.floor(dirs / 2)}`, attributes: { campaign: 'calib' } }]);
    await sql`VACUUM ANALYZE`.execute(handle.db);
    log('vacuumed and analyzed');

    const latencies: Latency[] = [];
    const measure = async (scenario: string, run: (k: number) => Promise<number>) => {
      const times: number[] = [];
      let matches = 0;
      await run(0); // warm the cache and the plan
      for (let k = 1; k <= repeat; k++) {
        const t = performance.now();
        matches = await run(k);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const result = {
        scenario,
        matches,
        p50ms: +times[Math.floor(times.length / 2)]!.toFixed(2),
        p95ms: +times[Math.min(times.length - 1, Math.floor(times.length * 0.95))]!.toFixed(2),
        maxms: +times.at(-1)!.toFixed(2),
      };
      latencies.push(result);
      log(`${scenario.padEnd(58)} matches ${String(matches).padStart(7)}  p50 ${result.p50ms} ms  p95 ${result.p95ms} ms`);
    };
    const pick = (k: number) => (k * 7919 * 104_729) % files;
    const count = async (request: core.QueryRequest) => core.countEntries(ctx, request);
    const page = async (request: core.QueryRequest, limit = 1000) => (await core.queryEntries(ctx, request, { limit })).items.length;

    await measure('selective equality: run = N (page)', (k) => page({ query: `run = ${pick(k)}` }));
    await measure("selective equality: detector = 'x' AND run = N", (k) => page({ query: `detector = 'det${pick(k) % 10}' AND run = ${pick(k)}` }));
    await measure('raw SQL baseline: values index + entries pkey', async (k) => {
      const r = await sql`SELECT e.* FROM metadata_values v JOIN entries e ON e.id = v.entry_id
        WHERE v.attribute_id = (SELECT id FROM metadata_attributes WHERE name = 'run') AND v.v_int = ${pick(k)}`.execute(handle.db);
      return r.rows.length;
    });
    await measure('range of 1,000 rows: run >= N AND run < N + 1000', (k) => page({ query: `run >= ${pick(k) % (files - 1000)} AND run < ${(pick(k) % (files - 1000)) + 1000}` }));
    await measure("range of 1,000 rows: taken in one 1,000 s window", (k) => {
      const from = new Date(Date.UTC(2024, 0, 1) + (pick(k) % (files - 1000)) * 1000);
      return page({ query: `taken >= '${from.toISOString()}' AND taken < '${new Date(from.getTime() + 1_000_000).toISOString()}'` });
    });
    await measure(`count over ${files / 10} matches: detector = 'detK'`, (k) => count({ query: `detector = 'det${k % 10}'` }));
    await measure("LIKE prefix: quality LIKE 'go%' AND run < 10000 (count)", () => count({ query: "quality LIKE 'go%' AND run < 10000" }));
    await measure("OR of two selective leaves (page)", (k) => page({ query: `run = ${pick(k)} OR run = ${pick(k + 1)}` }));
    await measure('scoped: EXISTS run under one directory (page)', (k) => page({ query: 'EXISTS run', under: `/b/d${k % dirs}` }));
    await measure("inherit: campaign = 'calib', files (page)", () => page({ query: "campaign = 'calib'", inherit: true, kind: 'file' }));

    const report = { files, restFiles, restFilesPerSecond: Math.round(restFiles / restSeconds), latencies, when: new Date().toISOString() };
    const out = join(packageRoot(), 'bench', 'results', `metadata-${report.when.replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, JSON.stringify(report, null, 2));
    log(`wrote ${out}`);
  } finally {
    await handle.close();
    if (keep) console.log(`kept database ${name}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
