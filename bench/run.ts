/**
 * Foundation benchmark: bulk registration and bulk resolution over REST, on PostgreSQL and PGlite,
 * with a raw-SQL registration baseline measured in the same run. The full suite (issue: benchmarks)
 * grows from here.
 *
 *   npm run bench -- [--engine postgres|pglite|both] [--files 100000] [--clients 4]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { packageRoot } from '../src/package-root';

interface Options {
  engines: ('postgres' | 'pglite')[];
  files: number;
  clients: number;
  batch: number;
  adminUrl: string;
}

interface Row {
  scenario: string;
  engine: string;
  items: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p95ms: number;
  p99ms: number;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
  };
  const engine = get('engine', 'both');
  return {
    engines: engine === 'both' ? ['postgres', 'pglite'] : [engine as 'postgres' | 'pglite'],
    files: Number(get('files', '100000')),
    clients: Number(get('clients', '4')),
    batch: Number(get('batch', '1000')),
    adminUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function row(scenario: string, engine: string, items: number, seconds: number, latencies: number[]): Row {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    scenario,
    engine,
    items,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(items / seconds),
    p50ms: Number(percentile(sorted, 50).toFixed(1)),
    p95ms: Number(percentile(sorted, 95).toFixed(1)),
    p99ms: Number(percentile(sorted, 99).toFixed(1)),
  };
}

const ADMIN_PASSWORD = `bench-${randomUUID()}`;
/** The bench authenticates like a production client: a bearer token (Basic would run scrypt per request). */
let authorization = '';

async function startService(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [join(packageRoot(), 'dist/src/main.js'), 'serve'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', REPLICAT_ADMIN_PASSWORD: ADMIN_PASSWORD },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) {
        const res = await fetch(`${url}/api/v1/tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` },
          body: JSON.stringify({ ttlSeconds: 3600 }),
        });
        if (!res.ok) throw new Error(`cannot get a token: HTTP ${res.status}`);
        authorization = `Bearer ${((await res.json()) as { token: string }).token}`;
        return { child, url };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the service did not become ready');
}

async function post(url: string, path: string, items: unknown[]): Promise<{ ms: number; results: { ok: boolean }[] }> {
  const started = performance.now();
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ items }),
  });
  const body = (await res.json()) as { results: { ok: boolean }[] };
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return { ms: performance.now() - started, results: body.results };
}

function fileItem(i: number) {
  const dir = `/bench/d${Math.floor(i / 10_000)}`;
  return {
    lfn: `${dir}/file-${i}.root`,
    size: 1_000_000 + i,
    checksum: { type: 'adler32', value: (i * 2654435761 >>> 0).toString(16) },
    replicas: [{ surl: `srm://se${i % 5}.example.org/data${dir}/file-${i}.root` }],
  };
}

/** Runs `batches` in order with `clients` concurrent workers; returns per-request latencies. */
async function drive<T>(batches: T[], clients: number, send: (batch: T) => Promise<number>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        latencies.push(await send(batch));
      }
    }),
  );
  return latencies;
}

async function benchEngine(engine: 'postgres' | 'pglite', options: Options): Promise<Row[]> {
  const rows: Row[] = [];
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;
  if (engine === 'postgres') {
    const name = `replicat_bench_${randomUUID().replaceAll('-', '')}`;
    const admin = new pg.Client({ connectionString: options.adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(options.adminUrl);
    url.pathname = `/${name}`;
    env = { DATABASE_URL: url.toString() };
    cleanup = async () => {
      const c = new pg.Client({ connectionString: options.adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'replicat-bench-'));
    env = { DATABASE_URL: '', REPLICAT_DATA: dir };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const { child, url } = await startService(env);
  try {
    const dirs = Math.ceil(options.files / 10_000);
    await post(url, '/api/v1/directories', Array.from({ length: dirs }, (_, d) => ({ lfn: `/bench/d${d}`, parents: true })));
    const batches: number[][] = [];
    for (let i = 0; i < options.files; i += options.batch) {
      batches.push(Array.from({ length: Math.min(options.batch, options.files - i) }, (_, k) => i + k));
    }
    let started = performance.now();
    let latencies = await drive(batches, options.clients, async (batch) => {
      const { ms, results } = await post(url, '/api/v1/files', batch.map(fileItem));
      if (results.some((r) => !r.ok)) throw new Error('a registration failed');
      return ms;
    });
    rows.push(row(`register (REST, ${options.batch}/request, ${options.clients} clients)`, engine, options.files, (performance.now() - started) / 1000, latencies));

    started = performance.now();
    latencies = await drive(batches, options.clients, async (batch) => {
      const { ms, results } = await post(url, '/api/v1/replicas/list', batch.map((i) => ({ lfn: fileItem(i).lfn })));
      if (results.some((r) => !r.ok)) throw new Error('a resolution failed');
      return ms;
    });
    rows.push(row(`resolve replicas/list (${options.batch}/request, ${options.clients} clients)`, engine, options.files, (performance.now() - started) / 1000, latencies));

    if (engine === 'postgres' && env.DATABASE_URL) rows.push(await rawSqlBaseline(env.DATABASE_URL, options));
    rows.push(...(await soapAgainstRest(url, engine, options)));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await cleanup();
  }
  return rows;
}

const FIREMAN_NS = 'http://glite.org/wsdl/services/org.glite.data.catalog.service.fireman';
const xmlText = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;');

async function soapCall(url: string, operation: string, body: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/soap/FiremanCatalog`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', authorization },
    body: `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><f:${operation} xmlns:f="${FIREMAN_NS}">${body}</f:${operation}></soapenv:Body></soapenv:Envelope>`,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`SOAP ${operation}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return performance.now() - started;
}

/**
 * The SOAP face against REST on the same work, one client, 1,000 items per call: Fireman `create` of
 * FRCEntries against `POST /files`, and `getFileCatalogEntry` against `entries/stat`.
 */
async function soapAgainstRest(url: string, engine: string, options: Options): Promise<Row[]> {
  const calls = 10;
  const batch = options.batch;
  await post(url, '/api/v1/directories', [{ lfn: '/soapbench/rest', parents: true }, { lfn: '/soapbench/soap', parents: true }]);
  const item = (side: string, i: number) => ({
    lfn: `/soapbench/${side}/f${i}`,
    size: i,
    checksum: (i * 2654435761 >>> 0).toString(16),
    surl: `srm://se${i % 5}.example.org/soapbench/${side}/f${i}`,
  });
  const rows: Row[] = [];
  const run = async (label: string, send: (call: number) => Promise<number>) => {
    const latencies: number[] = [];
    const started = performance.now();
    for (let c = 0; c < calls; c++) latencies.push(await send(c));
    rows.push(row(label, engine, calls * batch, (performance.now() - started) / 1000, latencies));
  };
  const range = (c: number) => Array.from({ length: batch }, (_, k) => c * batch + k);
  await run(`create: REST files (${batch}/request, 1 client)`, async (c) => {
    const items = range(c).map((i) => item('rest', i));
    const { ms } = await post(url, '/api/v1/files', items.map((it) => ({ lfn: it.lfn, size: it.size, checksum: { type: 'adler32', value: it.checksum }, replicas: [{ surl: it.surl }] })));
    return ms;
  });
  await run(`create: SOAP FRCEntries (${batch}/call, 1 client)`, (c) =>
    soapCall(
      url,
      'create',
      `<entries>${range(c)
        .map((i) => item('soap', i))
        .map((it) => `<item><lfn>${xmlText(it.lfn)}</lfn><guidStat><size>${it.size}</size><checksum>adler32:${it.checksum}</checksum></guidStat><surlStats><surl>${xmlText(it.surl)}</surl><masterReplica>true</masterReplica></surlStats></item>`)
        .join('')}</entries>`,
    ),
  );
  await run(`read: REST entries/stat (${batch}/request, 1 client)`, async (c) => (await post(url, '/api/v1/entries/stat', range(c).map((i) => ({ lfn: item('rest', i).lfn })))).ms);
  await run(`read: SOAP getFileCatalogEntry (${batch}/call, 1 client)`, (c) =>
    soapCall(url, 'getFileCatalogEntry', `<lfns>${range(c).map((i) => `<item>${xmlText(item('soap', i).lfn)}</item>`).join('')}</lfns>`),
  );
  return rows;
}

/** The same rows as `register`, inserted with plain multi-row SQL through pg: the floor to compare with. */
async function rawSqlBaseline(url: string, options: Options): Promise<Row> {
  const pool = new pg.Pool({ connectionString: url, max: options.clients });
  await pool.query(
    `INSERT INTO entries (id, parent_id, lfn, name, kind, owner_dn) VALUES ($1, '00000000-0000-0000-0000-000000000000', '/raw', 'raw', 'directory', 'bench')`,
    [randomUUID()],
  );
  const parent = (await pool.query<{ id: string }>(`SELECT id FROM entries WHERE lfn = '/raw'`)).rows[0]!.id;
  const batches: number[][] = [];
  for (let i = 0; i < options.files; i += options.batch) {
    batches.push(Array.from({ length: Math.min(options.batch, options.files - i) }, (_, k) => i + k));
  }
  const started = performance.now();
  const latencies = await drive(batches, options.clients, async (batch) => {
    const t = performance.now();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const guids = batch.map(() => randomUUID());
      const items = batch.map(fileItem);
      await client.query(
        `INSERT INTO entries (id, parent_id, lfn, name, kind, guid, size, checksum_type, checksum, owner_dn)
         SELECT u.id, $1, u.lfn, u.name, 'file', u.guid, u.size, 'adler32', lpad(u.sum, 8, '0'), 'bench'
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::int8[], $7::text[]) AS u(id, lfn, name, guid, size, sum)`,
        [
          parent,
          batch.map(() => randomUUID()),
          batch.map((i) => `/raw/file-${i}.root`),
          batch.map((i) => `file-${i}.root`),
          guids,
          items.map((it) => it.size),
          items.map((it) => it.checksum.value),
        ],
      );
      await client.query(
        `INSERT INTO replicas (guid, surl, se, is_master) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bool[])`,
        [guids, items.map((it) => `${it.replicas[0]!.surl}.raw`), batch.map((i) => `se${i % 5}.example.org`), batch.map(() => true)],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    return performance.now() - t;
  });
  await pool.end();
  return row(`register baseline (raw SQL via pg, ${options.batch}/txn, ${options.clients} clients)`, 'postgres', options.files, (performance.now() - started) / 1000, latencies);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const rows: Row[] = [];
  for (const engine of options.engines) rows.push(...(await benchEngine(engine, options)));
  const header = '| scenario | engine | items | s | items/s | p50 ms | p95 ms | p99 ms |';
  console.log(`\n${header}\n|---|---|---:|---:|---:|---:|---:|---:|`);
  for (const r of rows) {
    console.log(`| ${r.scenario} | ${r.engine} | ${r.items} | ${r.seconds} | ${r.perSecond} | ${r.p50ms} | ${r.p95ms} | ${r.p99ms} |`);
  }
  const rest = rows.find((r) => r.engine === 'postgres' && r.scenario.startsWith('register (REST'));
  const raw = rows.find((r) => r.scenario.startsWith('register baseline'));
  if (rest && raw) console.log(`\nregister REST / raw SQL on PostgreSQL: ${(rest.perSecond / raw.perSecond).toFixed(2)}`);
  for (const engine of options.engines) {
    for (const kind of ['create', 'read'] as const) {
      const r = rows.find((x) => x.engine === engine && x.scenario.startsWith(`${kind}: REST`));
      const s = rows.find((x) => x.engine === engine && x.scenario.startsWith(`${kind}: SOAP`));
      if (r && s) console.log(`SOAP / REST ${kind} on ${engine}: ${(s.perSecond / r.perSecond).toFixed(2)}`);
    }
  }
  const dir = join(packageRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replaceAll(':', '-')}.json`);
  writeFileSync(file, JSON.stringify({ options, rows, node: process.version, at: new Date().toISOString() }, null, 2));
  console.log(`\nwritten: ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
