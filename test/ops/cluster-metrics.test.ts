import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { adminQuery } from '../support/test-catalog';

// The built service with `serve --workers 2` on PostgreSQL, as it runs in production: connections are
// spread over two processes, each counting in its own registry, and /metrics must answer for both.
jest.setTimeout(600_000);

const ROOT = join(__dirname, '../..');
const ADMIN_PASSWORD = 'cluster-metrics-password';
const POOL = 3;
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

interface LogLine {
  readonly msg: string;
  readonly worker?: number;
  readonly operation?: string;
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One request on a connection of its own, so that the cluster's round robin picks the worker. */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false, headers: { connection: 'close', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The samples of one metric in Prometheus text, with their labels. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    out.push({ labels, value: Number(match[3]) });
  }
  return out;
}

function total(text: string, name: string, where: Record<string, string>): number {
  return samples(text, name)
    .filter((s) => Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

onPostgres('/metrics with --workers 2 (PostgreSQL only: workers need it; set DATABASE_URL)', () => {
  const adminUrl = process.env.DATABASE_URL!;
  const database = `replicat_cluster_${randomUUID().replaceAll('-', '')}`;
  const log: LogLine[] = [];
  let child: ChildProcess;
  let port: number;

  beforeAll(async () => {
    await adminQuery(adminUrl, `CREATE DATABASE ${database}`);
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    port = await freePort();
    child = spawn(process.execPath, [join(ROOT, 'dist/src/main.js'), 'serve', '--workers', '2'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: url.toString(),
        REPLICAT_DB_POOL: String(POOL),
        REPLICAT_ADMIN_PASSWORD: ADMIN_PASSWORD,
        // Scrapes are logged at debug: how the test sees which worker answered each.
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        log.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line
      }
    });
    const deadline = Date.now() + 120_000;
    const listening = () => new Set(log.filter((l) => l.msg.startsWith('replicat listening')).map((l) => l.worker)).size;
    while (listening() < 2) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the workers did not start: ${JSON.stringify(log.slice(-5))}`);
      await sleep(100);
    }
  });

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('sums the request counter over the workers, whichever worker answers the scrape', async () => {
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
    const issued = await send(port, 'POST', '/api/v1/tokens', { authorization: basic, 'content-type': 'application/json' }, '{}');
    expect(issued.status).toBe(200);
    const bearer = `Bearer ${(JSON.parse(issued.body) as { token: string }).token}`;

    const N = 40;
    for (let i = 0; i < N; i++) {
      const answer = await send(port, 'POST', '/api/v1/entries/stat', { authorization: bearer, 'content-type': 'application/json' }, '{"items":[{"lfn":"/"}]}');
      expect(answer.status).toBe(200);
    }
    const stat = { face: 'rest', operation: 'statEntries' };

    // A request is counted when its connection closes, a moment after the client has the answer.
    let text = '';
    for (let deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(100)) {
      text = (await send(port, 'GET', '/metrics')).body;
      if (total(text, 'replicat_requests_total', stat) >= N) break;
    }
    const scrapes = [text];
    for (let i = 0; i < 8; i++) {
      const scrape = await send(port, 'GET', '/metrics');
      expect(scrape.status).toBe(200);
      scrapes.push(scrape.body);
    }
    for (const scrape of scrapes) {
      expect(total(scrape, 'replicat_requests_total', { ...stat, status: '200' })).toBe(N);
      expect(total(scrape, 'replicat_request_duration_seconds_count', stat)).toBe(N);
      expect(total(scrape, 'replicat_bulk_items_sum', stat)).toBe(N);
    }

    // Both workers served the requests, and both answered scrapes: no one worker's count could be N.
    await sleep(200);
    const workersOf = (operation: string) => new Set(log.filter((l) => l.msg === 'request' && l.operation === operation).map((l) => l.worker));
    expect(workersOf('statEntries').size).toBe(2);
    expect(workersOf('metrics').size).toBe(2);

    // Gauges: the pools' connections add up; process metrics stay per worker.
    const last = scrapes[scrapes.length - 1]!;
    expect(total(last, 'replicat_db_pool_max', {})).toBe(2 * POOL);
    expect(samples(last, 'replicat_database_up')).toEqual([{ labels: {}, value: 1 }]);
    const rss = samples(last, 'process_resident_memory_bytes');
    expect(rss.map((s) => s.labels.worker).sort()).toEqual([...workersOf('metrics')].map(String).sort());
    for (const s of rss) expect(s.value).toBeGreaterThan(10 * 1024 * 1024);
  });
});
