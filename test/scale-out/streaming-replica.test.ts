import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import pino from 'pino';
import { ReplicatClient } from '../../sdk/src';
import { loadConfig } from '../../src/config';
import { StartupError } from '../../src/ops/startup-error';
import { startService, type RunningService } from '../../src/service';
import { PostgresInstance } from '../stress/postgres-instance';

/*
 * A primary and a streaming standby of their own (initdb, pg_basebackup), never the machine's cluster:
 * this file stops, restarts and promotes them. PostgreSQL only, like the other suites that need a real
 * server: skipped on PGlite (set DATABASE_URL to run it; the servers here are its own all the same).
 */
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;
const silent = pino({ level: 'silent' });
const FILES = 2000;

onPostgres('a primary and a streaming standby (PostgreSQL only: set DATABASE_URL)', () => {
  let primary: PostgresInstance | undefined;
  let standby: PostgresInstance | undefined;
  let stranger: PostgresInstance | undefined;
  let service: RunningService | undefined;
  let client: ReplicatClient | undefined;
  const lfns = Array.from({ length: FILES }, (_, i) => `/grid/so/f${String(i).padStart(5, '0')}`);

  beforeAll(async () => {
    const [p, s, o] = await freePorts(3);
    primary = await PostgresInstance.create(p!);
    await query(primary.url(), 'CREATE DATABASE catalog');
    standby = await PostgresInstance.createStandby(primary, s!);
    stranger = await PostgresInstance.create(o!);
    await query(stranger.url(), 'CREATE DATABASE catalog');
    service = await startService(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        REPLICAT_ADMIN_PASSWORD: 'scale-out-test',
        REPLICAT_ALLOW_ANONYMOUS: 'true',
        REPLICAT_AUTHORIZATION: 'disabled',
        DATABASE_URL: `postgres://postgres@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/catalog?target_session_attrs=read-write`,
        DATABASE_READ_URL: standby.url('catalog'),
        REPLICAT_DB_CONNECT_TIMEOUT_MS: '2000',
      }),
      silent,
    );
    client = new ReplicatClient({ baseUrl: service.url, retry: { retries: 20, baseDelayMs: 100, maxDelayMs: 500 } });
  }, 300_000);

  afterAll(async () => {
    await client?.close();
    await service?.stop(0).catch(() => undefined);
    for (const server of [primary, standby, stranger]) await server?.destroy().catch(() => undefined);
  }, 120_000);

  it('refuses a "replica" that is another cluster altogether', async () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      REPLICAT_ADMIN_PASSWORD: 'scale-out-test',
      DATABASE_URL: primary!.url('catalog'),
      DATABASE_READ_URL: stranger!.url('catalog'),
    });
    const failure = startService(config, silent);
    await expect(failure).rejects.toThrow(StartupError);
    await expect(failure).rejects.toThrow(
      new RegExp(`^DATABASE_READ_URL: 127\\.0\\.0\\.1:${stranger!.port}/catalog is not a standby of the primary: its system identifier is \\d+, the primary's \\d+`),
    );
  });

  it('serves reads from the standby, and a client reads its own 2,000 writes there at once', async () => {
    const before = await standbyReads();
    await client!.directories.create(['/grid/so'], { parents: true });
    const created = await client!.files.create(lfns.map((lfn) => ({ lfn })));
    expect(created.filter((r) => !r.ok)).toEqual([]);
    expect(client!.consistencyToken).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const stat = await client!.entries.stat(lfns);
    expect(stat.filter((r) => !r.ok)).toEqual([]);
    expect(stat).toHaveLength(FILES);
    const reads = await readsByTarget();
    expect(reads.replica).toBeGreaterThanOrEqual(1);
    expect(reads.primary_token_wait ?? 0).toBe(0);
    // The standby's own counters: the stat's rows were fetched there (its statistics arrive within a second or so).
    await eventually(async () => expect((await standbyReads()) - before).toBeGreaterThanOrEqual(FILES), 15_000);
    const ready = (await (await fetch(`${service!.url}/readyz`)).json()) as ReadyBody;
    expect(ready.status).toBe('ready');
    expect(ready.primary).toMatchObject({ server: `127.0.0.1:${primary!.port}`, state: 'up' });
    expect(ready.replicas).toEqual([expect.objectContaining({ server: `127.0.0.1:${standby!.port}/catalog`, state: 'up', lagMs: expect.any(Number) })]);
  }, 300_000);

  it('keeps reading when the standby stops, and reads from it again when it is back', async () => {
    await standby!.stop();
    const stat = await client!.entries.stat(lfns.slice(0, 100));
    expect(stat.filter((r) => !r.ok)).toEqual([]);
    await eventually(async () => expect((await readyBody()).replicas[0]!.state).toBe('down'), 15_000);
    expect((await readsByTarget()).primary_no_replica).toBeGreaterThanOrEqual(1);
    await standby!.start();
    await eventually(async () => expect((await readyBody()).replicas[0]!.state).toBe('up'), 30_000);
    const before = (await readsByTarget()).replica ?? 0;
    await client!.entries.stat(lfns.slice(0, 10));
    expect((await readsByTarget()).replica).toBeGreaterThan(before);
  }, 300_000);

  it('keeps reading from the standby while the primary is down, and writes again on the same process once the standby is promoted', async () => {
    await primary!.stop();
    // Writes answer 503 (with Retry-After) while no server is writable; reads go on from the standby.
    const refused = await fetch(`${service!.url}/api/v1/directories`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ lfn: '/grid/so/during', parents: true }] }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    const stat = await client!.entries.stat(lfns.slice(0, 100));
    expect(stat.filter((r) => !r.ok)).toEqual([]);
    expect((await readyBody()).status).toBe('degraded');

    await standby!.promote();
    const started = Date.now();
    let written = false;
    let unavailable = 0;
    while (!written && Date.now() - started < 60_000) {
      const res = await fetch(`${service!.url}/api/v1/directories`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ lfn: '/grid/so/after-failover', parents: true }] }),
      });
      if (res.status === 200) written = true;
      else {
        expect(res.status).toBe(503);
        unavailable++;
        await sleep(250);
      }
    }
    expect(written).toBe(true);
    const ready = await readyBody();
    expect(ready.status).toBe('ready');
    expect(ready.primary).toMatchObject({ server: `127.0.0.1:${standby!.port}`, state: 'up' });
    const after = await client!.entries.stat(['/grid/so/after-failover', lfns[FILES - 1]!]);
    expect(after.every((r) => r.ok)).toBe(true);
    // Every write refused meanwhile was a 503 (checked in the loop), never another error.
    process.stdout.write(`writes resumed ${Date.now() - started} ms after the promotion began, ${unavailable} 503s meanwhile\n`);
  }, 300_000);

  interface ReadyBody {
    status: string;
    primary: { server: string; state: string };
    replicas: { server: string; state: string; lagMs?: number }[];
  }

  async function readyBody(): Promise<ReadyBody> {
    return (await (await fetch(`${service!.url}/readyz`)).json()) as ReadyBody;
  }

  async function readsByTarget(): Promise<Record<string, number>> {
    const text = await (await fetch(`${service!.url}/metrics`)).text();
    const reads: Record<string, number> = {};
    for (const match of text.matchAll(/^replicat_db_reads_total\{target="([a-z_]+)"\} (\d+)/gm)) reads[match[1]!] = Number(match[2]);
    return reads;
  }

  /** Rows the standby fetched and returned in the catalog's database, by its own statistics. */
  async function standbyReads(): Promise<number> {
    const rows = await query(standby!.url('catalog'), "SELECT tup_fetched + tup_returned AS n FROM pg_stat_database WHERE datname = 'catalog'");
    return Number(rows[0]!.n);
  }
});

async function query(url: string, text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

async function eventually(check: () => Promise<void>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

/** Ports nothing listens on now (the kernel's choice), for the servers of this file. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
