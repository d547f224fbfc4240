/**
 * The benchmark suite (docs/performance.md): every scenario against a baseline measured in the same run.
 *
 *   npm run bench -- [--engine postgres|pglite|both] [--files 100000] [--big 1000000] [--clients 4]
 *                    [--seconds 10] [--workers 1,2] [--scale] [--only register,resolve,stat,stat-basic,list,soap,acl]
 *
 * PostgreSQL: `DATABASE_URL` names a server the benchmark may create databases on (default the local
 * one). Fixtures are generated in SQL; only the measured work goes through HTTP. Prints a Markdown table
 * and writes bench/results/<date>.json.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import { Pool } from 'undici';
import { packageRoot } from '../src/package-root';
import { bulk, startBenchService, type BenchService } from './bench-service';
import { fixtureLfn, loadFiles } from './fixtures';
import { drive, log, makeRow, withRssPeak, type Row } from './measure';

interface Options {
  engines: ('postgres' | 'pglite')[];
  files: number;
  big: number;
  clients: number;
  seconds: number;
  workers: number[];
  scale: boolean;
  only: Set<string>;
  adminUrl: string;
}

const SCENARIOS = ['register', 'resolve', 'stat', 'stat-basic', 'list', 'soap', 'acl'];

function parseOptions(argv: string[]): Options {
  const get = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
  };
  const engine = get('engine', 'postgres');
  return {
    engines: engine === 'both' ? ['postgres', 'pglite'] : [engine as 'postgres' | 'pglite'],
    files: Number(get('files', '100000')),
    big: Number(get('big', '1000000')),
    clients: Number(get('clients', '4')),
    seconds: Number(get('seconds', '10')),
    workers: get('workers', '1,2').split(',').map(Number),
    scale: argv.includes('--scale'),
    only: new Set(get('only', SCENARIOS.join(',')).split(',')),
    adminUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

/** A fresh database for one engine, and how to drop it. */
async function freshDatabase(engine: 'postgres' | 'pglite', options: Options): Promise<{ env: NodeJS.ProcessEnv; url?: string; drop: () => Promise<void> }> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'replicat-bench-'));
    return { env: { DATABASE_URL: '', REPLICAT_DATA: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `replicat_bench_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: options.adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

function fileItem(dir: string, i: number) {
  return {
    lfn: `${dir}/file-${i}.root`,
    size: 1_000_000 + i,
    checksum: { type: 'adler32', value: ((i * 2654435761) >>> 0).toString(16) },
    replicas: [{ surl: `srm://se${i % 5}.example.org/data${dir}/file-${i}.root` }],
  };
}

function chunks(count: number, size: number, first = 0): number[][] {
  const out: number[][] = [];
  for (let i = first; i < first + count; i += size) out.push(Array.from({ length: Math.min(size, first + count - i) }, (_, k) => i + k));
  return out;
}

/** 1. register over REST against the same rows inserted with plain SQL. */
async function register(service: BenchService, engine: string, url: string | undefined, options: Options): Promise<Row[]> {
  const rows: Row[] = [];
  const dirs = Math.ceil(options.files / 10_000);
  await bulk(service, '/api/v1/directories', Array.from({ length: dirs }, (_, d) => ({ lfn: `/reg/d${d}`, parents: true })));
  const batches = chunks(options.files, 1000);
  const started = performance.now();
  const { value: latencies, rss } = await withRssPeak(service.pid, () =>
    drive(batches, options.clients, (batch) => bulk(service, '/api/v1/files', batch.map((i) => fileItem(`/reg/d${Math.floor(i / 10_000)}`, i)))),
  );
  rows.push(makeRow(`register: REST files, 1,000/request, ${options.clients} clients`, engine, options.files, (performance.now() - started) / 1000, latencies, rss));
  if (url !== undefined) rows.push(await rawRegister(url, options));
  return rows;
}

/** The same rows as `register`, inserted in plain multi-row SQL through pg: the floor to compare with. */
async function rawRegister(url: string, options: Options): Promise<Row> {
  const pool = new pg.Pool({ connectionString: url, max: options.clients });
  const root = (await pool.query<{ id: string }>(`SELECT id FROM entries WHERE lfn = '/'`)).rows[0]!.id;
  const parent = (
    await pool.query<{ id: string }>(
      `INSERT INTO entries (id, parent_id, lfn, name, kind, owner_dn) VALUES (gen_random_uuid(), $1, '/raw', 'raw', 'directory', 'bench') RETURNING id`,
      [root],
    )
  ).rows[0]!.id;
  const started = performance.now();
  const latencies = await drive(chunks(options.files, 1000), options.clients, async (batch) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const guids = batch.map(() => randomUUID());
      const items = batch.map((i) => fileItem('/raw', i));
      await client.query(
        `INSERT INTO entries (id, parent_id, lfn, name, kind, guid, size, checksum_type, checksum, owner_dn)
         SELECT u.id, $1, u.lfn, u.name, 'file', u.guid, u.size, 'adler32', lpad(u.sum, 8, '0'), 'bench'
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::int8[], $7::text[]) AS u(id, lfn, name, guid, size, sum)`,
        [parent, batch.map(() => randomUUID()), items.map((it) => it.lfn), items.map((it) => it.lfn.slice(5)), guids, items.map((it) => it.size), items.map((it) => it.checksum.value)],
      );
      await client.query(
        `INSERT INTO replicas (guid, surl, se, is_master) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bool[])`,
        [guids, items.map((it) => `${it.replicas[0]!.surl}.raw`), batch.map((i) => `se${i % 5}.example.org`), batch.map(() => true)],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });
  await pool.end();
  return makeRow(`register baseline: raw SQL via pg, 1,000/txn, ${options.clients} clients`, 'postgres', options.files, (performance.now() - started) / 1000, latencies, null);
}

/** 2. replicas/list in bulks of 1,000 / 10,000 / 100,000 LFNs, and all of /big streamed as NDJSON. */
async function resolve(service: BenchService, engine: string, options: Options, workers: number): Promise<Row[]> {
  const rows: Row[] = [];
  const tag = workers > 1 ? ` [${workers} workers]` : '';
  const total = Math.min(options.big, 200_000);
  for (const size of [1000, 10_000, 100_000]) {
    const batches = chunks(Math.max(total, size), size, 1);
    const started = performance.now();
    const { value: latencies, rss } = await withRssPeak(service.pid, () =>
      drive(batches, options.clients, (batch) => bulk(service, '/api/v1/replicas/list', batch.map((n) => ({ lfn: fixtureLfn('/big', 1 + ((n - 1) % options.big)) })))),
    );
    rows.push(makeRow(`resolve: replicas/list, ${size.toLocaleString('en')}/request, ${options.clients} clients${tag}`, engine, batches.length * size, (performance.now() - started) / 1000, latencies, rss));
  }
  const started = performance.now();
  const label = `resolve: ${options.big.toLocaleString('en')} LFNs streamed (NDJSON in and out), 1 client${tag}`;
  try {
    const { value: count, rss } = await withRssPeak(service.pid, () => streamResolve(service, options.big));
    rows.push(makeRow(label, engine, count, (performance.now() - started) / 1000, [performance.now() - started], rss));
  } catch (error) {
    // One request carries the whole stream, so it must end within the server's request timeout (120 s).
    const seconds = (performance.now() - started) / 1000;
    log(`  ${label}: failed after ${seconds.toFixed(0)} s: ${String(error)}`);
    rows.push({ ...makeRow(label, engine, 0, seconds, [], null), note: `failed after ${seconds.toFixed(0)} s: ${String(error)}` });
  }
  return rows;
}

/** Sends `count` LFNs as one NDJSON body, generated as it goes, and counts the successful result lines. */
async function streamResolve(service: BenchService, count: number): Promise<number> {
  async function* body(): AsyncGenerator<string> {
    const lines: string[] = [];
    for (let n = 1; n <= count; n++) {
      lines.push(`{"lfn":"${fixtureLfn('/big', n)}"}\n`);
      if (lines.length === 10_000 || n === count) yield lines.splice(0).join('');
    }
  }
  const res = await service.pool.request({
    method: 'POST',
    path: '/api/v1/replicas/list',
    headers: { 'content-type': 'application/x-ndjson', authorization: service.authorization },
    body: Readable.from(body()),
  });
  if (res.statusCode !== 200) throw new Error(`NDJSON resolve: HTTP ${res.statusCode} ${(await res.body.text()).slice(0, 300)}`);
  let ok = 0;
  let lines = 0;
  let partial = '';
  for await (const chunk of res.body) {
    const text = partial + (chunk as Buffer).toString('utf8');
    const end = text.lastIndexOf('\n');
    partial = text.slice(end + 1);
    for (const line of text.slice(0, end).split('\n')) {
      lines++;
      if (line.startsWith('{"ok":true')) ok++;
    }
  }
  if (ok !== count) throw new Error(`NDJSON resolve: ${ok} of ${count} succeeded (${lines} lines)`);
  return ok;
}

/** Single-item requests from `connections` concurrent connections for `seconds`; latencies in ms. */
async function hammer(url: string, path: string, authorization: string, body: (k: number) => string, seconds: number, connections = 32): Promise<{ count: number; seconds: number; latencies: number[] }> {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  let k = 0;
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < until) {
          const t = performance.now();
          const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json', authorization }, body: body(k++) });
          const text = await res.body.text();
          if (res.statusCode !== 200 || !text.includes('"ok":true')) throw new Error(`${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
          latencies.push(performance.now() - t);
        }
      }),
    );
  } finally {
    await pool.close();
  }
  return { count: latencies.length, seconds: (performance.now() - started) / 1000, latencies };
}

/** 3. single-item stat at 32 connections. */
async function stat(service: BenchService, engine: string, options: Options, workers: number): Promise<Row> {
  const files = Math.min(options.big, 1_000_000);
  const body = (k: number) => `{"items":[{"lfn":"${fixtureLfn('/big', 1 + ((k * 7919) % files))}"}]}`;
  const { value, rss } = await withRssPeak(service.pid, () => hammer(service.url, '/api/v1/entries/stat', service.authorization, body, options.seconds));
  const tag = workers > 1 ? ` [${workers} workers]` : '';
  return makeRow(`stat: single item, 32 connections${tag}`, engine, value.count, value.seconds, value.latencies, rss);
}

/** 3b. the same single-item stat with HTTP Basic (a remembered password) and with a bearer token, back to back. */
async function statBasic(service: BenchService, engine: string, options: Options): Promise<Row[]> {
  const files = Math.min(options.big, 1_000_000);
  const body = (k: number) => `{"items":[{"lfn":"${fixtureLfn('/big', 1 + ((k * 7919) % files))}"}]}`;
  const bearer = await hammer(service.url, '/api/v1/entries/stat', service.authorization, body, options.seconds);
  const basic = await hammer(service.url, '/api/v1/entries/stat', service.basicAuthorization, body, options.seconds);
  return [
    makeRow('stat-basic: bearer token, single item, 32 connections', engine, bearer.count, bearer.seconds, bearer.latencies, null),
    makeRow('stat-basic: HTTP Basic, single item, 32 connections', engine, basic.count, basic.seconds, basic.latencies, null),
  ];
}

/** The baseline of `stat`: a bare express process answering a fixed body of the same size. */
async function bareStat(service: BenchService, options: Options): Promise<Row> {
  const sample = await service.pool.request({
    method: 'POST',
    path: '/api/v1/entries/stat',
    headers: { 'content-type': 'application/json', authorization: service.authorization },
    body: `{"items":[{"lfn":"${fixtureLfn('/big', 1)}"}]}`,
  });
  const bytes = (await sample.body.text()).length;
  const port = 40000 + Math.floor(Math.random() * 20000);
  const child = fork(join(packageRoot(), 'dist/bench/bare-express.js'), [String(port), String(bytes)], { stdio: 'ignore' });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`bare express exited with ${code}`)));
    });
    const body = () => `{"items":[{"lfn":"${fixtureLfn('/big', 1)}"}]}`;
    const { value, rss } = await withRssPeak(child.pid, () => hammer(`http://127.0.0.1:${port}`, '/api/v1/entries/stat', '', body, options.seconds));
    return makeRow(`stat baseline: bare express, fixed ${bytes}-byte JSON, 32 connections`, 'none', value.count, value.seconds, value.latencies, rss);
  } finally {
    child.kill();
  }
}

/** 4. the whole of /big listed as NDJSON. */
async function list(service: BenchService, engine: string): Promise<Row> {
  const started = performance.now();
  const { value: count, rss } = await withRssPeak(service.pid, async () => {
    const res = await service.pool.request({
      method: 'GET',
      path: `/api/v1/directories/entries?lfn=${encodeURIComponent('/big')}`,
      headers: { accept: 'application/x-ndjson', authorization: service.authorization },
    });
    if (res.statusCode !== 200) throw new Error(`list: HTTP ${res.statusCode}`);
    let lines = 0;
    for await (const chunk of res.body) {
      const buffer = chunk as Buffer;
      for (let i = buffer.indexOf(10); i >= 0; i = buffer.indexOf(10, i + 1)) lines++;
    }
    return lines;
  });
  const seconds = (performance.now() - started) / 1000;
  return makeRow(`list: ${count.toLocaleString('en')}-entry directory streamed (NDJSON)`, engine, count, seconds, [seconds * 1000], rss);
}

/** 7. 10,000-item stat with ACL checks, against the same with checks off (a second service, same database). */
async function acl(service: BenchService, env: NodeJS.ProcessEnv, engine: string, options: Options): Promise<Row[]> {
  const unchecked = await startBenchService({ ...env, REPLICAT_AUTHORIZATION: 'disabled' });
  const rows: Row[] = [];
  try {
    const batches = chunks(Math.max(10_000, Math.min(options.big, 100_000)), 10_000, 1).map((b) => b.map((n) => 1 + ((n - 1) % options.big)));
    // Alternate the order so that neither side always runs on caches the other warmed.
    for (const [label, svc] of [['checks on', service], ['checks off', unchecked], ['checks off', unchecked], ['checks on', service]] as const) {
      const started = performance.now();
      const latencies = await drive(batches, 1, (batch) => bulk(svc, '/api/v1/entries/stat', batch.map((n) => ({ lfn: fixtureLfn('/big', n) }))));
      rows.push(makeRow(`acl: entries/stat 10,000/request, ${label}`, engine, batches.length * 10_000, (performance.now() - started) / 1000, latencies, null));
    }
  } finally {
    await unchecked.stop();
  }
  // Keep the better of the two runs of each side.
  const best = (label: string) => rows.filter((r) => r.scenario.endsWith(label)).sort((a, b) => b.perSecond - a.perSecond)[0]!;
  return [best('checks on'), best('checks off')];
}

const FIREMAN_NS = 'http://glite.org/wsdl/services/org.glite.data.catalog.service.fireman';
const xmlText = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;');

/** 5. the SOAP face against REST on the same work, one client, 1,000 items per call. */
async function soap(service: BenchService, engine: string): Promise<Row[]> {
  const calls = 10;
  const batch = 1000;
  await bulk(service, '/api/v1/directories', [{ lfn: '/soapbench/rest', parents: true }, { lfn: '/soapbench/soap', parents: true }]);
  const item = (side: string, i: number) => ({
    lfn: `/soapbench/${side}/f${i}`,
    size: i,
    checksum: ((i * 2654435761) >>> 0).toString(16),
    surl: `srm://se${i % 5}.example.org/soapbench/${side}/f${i}`,
  });
  const soapCall = async (operation: string, body: string) => {
    const res = await service.pool.request({
      method: 'POST',
      path: '/soap/FiremanCatalog',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', authorization: service.authorization },
      body: `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><f:${operation} xmlns:f="${FIREMAN_NS}">${body}</f:${operation}></soapenv:Body></soapenv:Envelope>`,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`SOAP ${operation}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
  };
  const range = (c: number) => Array.from({ length: batch }, (_, k) => c * batch + k);
  const rows: Row[] = [];
  const run = async (label: string, send: (c: number) => Promise<void>) => {
    const started = performance.now();
    const latencies = await drive(Array.from({ length: calls }, (_, c) => c), 1, send);
    rows.push(makeRow(label, engine, calls * batch, (performance.now() - started) / 1000, latencies, null));
  };
  await run('soap: REST files (create), 1,000/request', (c) =>
    bulk(service, '/api/v1/files', range(c).map((i) => item('rest', i)).map((it) => ({ lfn: it.lfn, size: it.size, checksum: { type: 'adler32', value: it.checksum }, replicas: [{ surl: it.surl }] }))),
  );
  await run('soap: SOAP create (FRCEntries), 1,000/call', (c) =>
    soapCall(
      'create',
      `<entries>${range(c)
        .map((i) => item('soap', i))
        .map((it) => `<item><lfn>${xmlText(it.lfn)}</lfn><guidStat><size>${it.size}</size><checksum>adler32:${it.checksum}</checksum></guidStat><surlStats><surl>${xmlText(it.surl)}</surl><masterReplica>true</masterReplica></surlStats></item>`)
        .join('')}</entries>`,
    ),
  );
  await run('soap: REST entries/stat (read), 1,000/request', (c) => bulk(service, '/api/v1/entries/stat', range(c).map((i) => ({ lfn: item('rest', i).lfn }))));
  await run('soap: SOAP getFileCatalogEntry (read), 1,000/call', (c) =>
    soapCall('getFileCatalogEntry', `<lfns>${range(c).map((i) => `<item>${xmlText(item('soap', i).lfn)}</item>`).join('')}</lfns>`),
  );
  return rows;
}

/** 6. stat and resolve latency with 100,000 entries, then with 10,000,000 (only with --scale). */
async function scale(engine: 'postgres' | 'pglite', options: Options): Promise<Row[]> {
  const db = await freshDatabase(engine, options);
  const rows: Row[] = [];
  let service = await startBenchService(db.env);
  try {
    const measure = async (entries: string) => {
      const files = entries === '100k' ? 100_000 : 10_000_000;
      const statBody = (k: number) => `{"items":[{"lfn":"${fixtureLfn('/scale', 1 + ((k * 104729) % files))}"}]}`;
      const s = await hammer(service.url, '/api/v1/entries/stat', service.authorization, statBody, options.seconds);
      rows.push(makeRow(`scale: stat single item, 32 connections, ${entries} entries`, engine, s.count, s.seconds, s.latencies, null));
      const batches = Array.from({ length: 20 }, (_, b) => Array.from({ length: 1000 }, (_, k) => 1 + (((b * 1000 + k) * 104729) % files)));
      const started = performance.now();
      const latencies = await drive(batches, 1, (batch) => bulk(service, '/api/v1/replicas/list', batch.map((n) => ({ lfn: fixtureLfn('/scale', n) }))));
      rows.push(makeRow(`scale: resolve 1,000/request (random names), ${entries} entries`, engine, 20_000, (performance.now() - started) / 1000, latencies, null));
    };
    if (db.url === undefined) throw new Error('--scale needs PostgreSQL');
    log('scale: loading 100,000 entries');
    await loadFiles(db.url, '/scale', 100_000);
    await measure('100k');
    log('scale: loading up to 10,000,000 entries (this takes a while)');
    await loadFiles(db.url, '/scale', 9_900_000, 100_001);
    await service.stop();
    service = await startBenchService(db.env);
    await measure('10M');
  } finally {
    await service.stop();
    await db.drop();
  }
  return rows;
}

async function benchEngine(engine: 'postgres' | 'pglite', options: Options): Promise<Row[]> {
  const rows: Row[] = [];
  const db = await freshDatabase(engine, options);
  const want = (s: string) => options.only.has(s);
  try {
    let service = await startBenchService(db.env);
    try {
      if (want('register')) {
        log(`${engine}: register`);
        rows.push(...(await register(service, engine, db.url, options)));
      }
      if (want('resolve') || want('stat') || want('stat-basic') || want('list') || want('acl')) {
        log(`${engine}: fixtures: ${options.big.toLocaleString('en')} files in /big (generated SQL)`);
        if (db.url !== undefined) await loadFiles(db.url, '/big', options.big);
        else {
          // PGlite is in the service's process: the fixtures go through REST there, 10,000 at a time.
          await bulk(service, '/api/v1/directories', [{ lfn: '/big', parents: true }]);
          for (const batch of chunks(options.big, 10_000, 1)) {
            await bulk(service, '/api/v1/files', batch.map((n) => ({ lfn: fixtureLfn('/big', n), replicas: [{ surl: `srm://se${n % 4}.example.org/data${fixtureLfn('/big', n)}` }] })));
          }
        }
      }
      for (const workers of engine === 'postgres' ? options.workers : [1]) {
        if (workers !== 1 || service === undefined) {
          await service.stop();
          service = await startBenchService(db.env, workers);
        }
        if (want('stat')) {
          log(`${engine}: stat (${workers} worker(s))`);
          if (workers === options.workers[0]) rows.push(await bareStat(service, options));
          rows.push(await stat(service, engine, options, workers));
        }
        if (want('stat-basic') && workers === options.workers[0]) {
          log(`${engine}: stat, Basic against bearer`);
          rows.push(...(await statBasic(service, engine, options)));
        }
        if (want('resolve')) {
          log(`${engine}: resolve (${workers} worker(s))`);
          rows.push(...(await resolve(service, engine, options, workers)));
        }
        if (workers !== options.workers[0]) continue;
        if (want('list')) {
          log(`${engine}: list`);
          rows.push(await list(service, engine));
        }
        if (want('soap')) {
          log(`${engine}: soap`);
          rows.push(...(await soap(service, engine)));
        }
        if (want('acl') && engine === 'postgres') {
          log(`${engine}: acl`);
          rows.push(...(await acl(service, db.env, engine, options)));
        }
      }
    } finally {
      await service.stop();
    }
  } finally {
    await db.drop();
  }
  if (options.scale && engine === 'postgres') rows.push(...(await scale(engine, options)));
  return rows;
}

/** Ratios the targets are stated in, each against its baseline from the same run. */
function ratios(rows: readonly Row[]): { name: string; value: number; target: string; met: boolean }[] {
  const find = (engine: string, prefix: string) => rows.find((r) => r.engine === engine && r.scenario.startsWith(prefix));
  const out: { name: string; value: number; target: string; met: boolean }[] = [];
  const add = (name: string, value: number | undefined, target: string, met: (v: number) => boolean) => {
    if (value !== undefined && Number.isFinite(value)) out.push({ name, value: Number(value.toFixed(2)), target, met: met(value) });
  };
  const rest = find('postgres', 'register: REST');
  const raw = find('postgres', 'register baseline');
  if (rest && raw) add('register REST / raw SQL', rest.perSecond / raw.perSecond, '≥ 0.5 (and ≥ 20,000 files/s)', (v) => v >= 0.5 && rest.perSecond >= 20_000);
  const r10k = find('postgres', 'resolve: replicas/list, 10,000/request');
  if (r10k) add('resolve LFNs/s on 10,000-LFN bulks (thousands)', r10k.perSecond / 1000, '≥ 100', (v) => v >= 100);
  const streamed = find('postgres', 'resolve: 1,000,000 LFNs streamed');
  if (streamed?.rssGrowthMb != null) add('resolve 1,000,000 streamed: service RSS growth (MB)', streamed.rssGrowthMb, '< 100', (v) => v < 100);
  const s = find('postgres', 'stat: single item, 32 connections') ;
  const bare = rows.find((r) => r.scenario.startsWith('stat baseline'));
  if (s && bare) add('stat / bare express', s.perSecond / bare.perSecond, '≥ 0.4 (and p99 < 20 ms)', (v) => v >= 0.4 && s.p99ms < 20);
  for (const engine of ['postgres', 'pglite']) {
    const basic = find(engine, 'stat-basic: HTTP Basic');
    const bearer = find(engine, 'stat-basic: bearer');
    if (basic && bearer) add(`single stat, Basic / bearer (${engine})`, basic.perSecond / bearer.perSecond, '≥ 0.8', (v) => v >= 0.8);
  }
  const l = find('postgres', 'list:');
  if (l) add('list entries/s (thousands)', l.perSecond / 1000, '≥ 200, flat memory', (v) => v >= 200);
  for (const [kind, restName, soapName] of [
    ['create', 'soap: REST files', 'soap: SOAP create'],
    ['read', 'soap: REST entries/stat', 'soap: SOAP getFileCatalogEntry'],
  ] as const) {
    const r = find('postgres', restName);
    const x = find('postgres', soapName);
    if (r && x) add(`SOAP / REST ${kind}`, x.perSecond / r.perSecond, '≥ 0.33', (v) => v >= 0.33);
  }
  const on = find('postgres', 'acl: entries/stat 10,000/request, checks on');
  const off = find('postgres', 'acl: entries/stat 10,000/request, checks off');
  if (on && off) add('acl: checks on / checks off', on.perSecond / off.perSecond, 'reported', () => true);
  for (const kind of ['stat single item', 'resolve 1,000/request']) {
    const small = rows.find((r) => r.scenario.startsWith(`scale: ${kind}`) && r.scenario.endsWith('100k entries'));
    const big = rows.find((r) => r.scenario.startsWith(`scale: ${kind}`) && r.scenario.endsWith('10M entries'));
    if (small && big) add(`scale: ${kind} p50 latency 10M / 100k`, big.p50ms / small.p50ms, '≤ 1.5', (v) => v <= 1.5);
  }
  for (const [label, prefix] of [['stat', 'stat: single item'], ['resolve 10,000/request', 'resolve: replicas/list, 10,000/request']] as const) {
    const one = rows.find((r) => r.scenario.startsWith(prefix) && !r.scenario.includes('workers]'));
    const two = rows.find((r) => r.scenario.startsWith(prefix) && r.scenario.includes('[2 workers]'));
    if (one && two) add(`${label}: 2 workers / 1 worker`, two.perSecond / one.perSecond, 'reported', () => true);
  }
  return out;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const began = performance.now();
  const rows: Row[] = [];
  for (const engine of options.engines) rows.push(...(await benchEngine(engine, options)));
  const cell = (v: number | null) => (v === null ? '' : String(v));
  console.log('\n| scenario | engine | items | s | items/s | p50 ms | p95 ms | p99 ms | peak RSS MB | RSS growth MB |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.scenario} | ${r.engine} | ${r.items} | ${r.seconds} | ${r.perSecond} | ${r.p50ms} | ${r.p95ms} | ${r.p99ms} | ${cell(r.peakRssMb)} | ${cell(r.rssGrowthMb)} |`);
  }
  const targets = ratios(rows);
  console.log('\n| measure | value | target | met |\n|---|---:|---|---|');
  for (const t of targets) console.log(`| ${t.name} | ${t.value} | ${t.target} | ${t.target === 'reported' ? '—' : t.met ? 'met' : 'missed'} |`);
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage: (await import('node:os')).loadavg() };
  const dir = join(packageRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replaceAll(':', '-')}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), options: { ...options, only: [...options.only] }, machine, minutes: (performance.now() - began) / 60_000, rows, targets }, null, 2));
  console.log(`\nwritten: ${file} (${((performance.now() - began) / 60_000).toFixed(1)} min)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
