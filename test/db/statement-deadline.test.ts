import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import request from 'supertest';
import { DeadlineExceeded, Unavailable } from '../../src/core/errors';
import { toCatalogError } from '../../src/db/db-errors';
import type { DatabaseHandle } from '../../src/db/database-handle';
import { openPglite } from '../../src/db/pglite/pglite-database';
import { openPostgres } from '../../src/db/postgres/postgres-database';
import { inTransaction, reading } from '../../src/db/transaction';
import { createRestApp } from '../../src/rest/app';
import { adminQuery, startTestCatalog, TEST_IDENTITY, TEST_LIMITS, TEST_METADATA } from '../support/test-catalog';

// A fresh PGlite (initdb) takes tens of seconds on a loaded machine, and a reopen after a deadline some more.
jest.setTimeout(300_000);

const onPostgres = process.env.DATABASE_URL !== undefined;
/** Long enough that ordinary statements never reach it on a loaded machine; short enough to wait for. */
const DEADLINE_MS = 4000;
/** How late the error may come after the deadline (timers on a loaded machine, PostgreSQL's cancel). */
const LATE_MS = 3000;

interface Scratch {
  readonly database: DatabaseHandle;
  /** A second handle on the same data, opened after the first one closes (PGlite in a directory). */
  reopen(statementTimeoutMs: number): Promise<DatabaseHandle>;
  drop(): Promise<void>;
}

/** The engine of this run with a statement deadline: PGlite in a data directory, or a new PostgreSQL database. */
async function openScratch(statementTimeoutMs: number): Promise<Scratch> {
  const url = process.env.DATABASE_URL;
  if (url !== undefined) {
    const name = `replicat_test_${randomUUID().replaceAll('-', '')}`;
    await adminQuery(url, `CREATE DATABASE ${name}`);
    const dbUrl = new URL(url);
    dbUrl.pathname = `/${name}`;
    const open = (ms: number) => openPostgres({ url: dbUrl.toString(), poolSize: 4, connectTimeoutMs: 5000, statementTimeoutMs: ms });
    return { database: open(statementTimeoutMs), reopen: async (ms) => open(ms), drop: () => adminQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'replicat-deadline-'));
  return {
    database: await openPglite({ dataDir, statementTimeoutMs }),
    reopen: (ms) => openPglite({ dataDir, statementTimeoutMs: ms }),
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function count(database: DatabaseHandle, where = sql`true`): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM probe WHERE ${where}`.execute(database.db);
  return rows[0]!.n;
}

/** Rejects with what the catalog makes of the failure, and how long it took. */
async function timed(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await work();
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('expected the statement to fail');
}

describe(`statement deadline (${onPostgres ? 'PostgreSQL' : 'PGlite in a data directory'})`, () => {
  let scratch: Scratch;
  let database: DatabaseHandle;

  beforeAll(async () => {
    scratch = await openScratch(DEADLINE_MS);
    database = scratch.database;
    await sql`CREATE TABLE probe (id int PRIMARY KEY, note text NOT NULL)`.execute(database.db);
  });

  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });

  it('stops a statement that would run far longer, with DeadlineExceeded close to the deadline', async () => {
    const { error, ms } = await timed(() => reading(() => sql`SELECT pg_sleep(120)`.execute(database.db)));
    expect(error).toBeInstanceOf(DeadlineExceeded);
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(ms).toBeLessThan(DEADLINE_MS + LATE_MS);
    // Really stopped: the next statement does not wait for the two minutes of the first.
    const started = Date.now();
    await expect(count(database)).resolves.toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('keeps every committed row and rolls back the transaction whose statement was stopped', async () => {
    for (let batch = 0; batch < 5; batch++) {
      await inTransaction(database.db, async (trx) => {
        await sql`INSERT INTO probe SELECT g, 'committed' FROM generate_series(${batch * 100 + 1}::int, ${batch * 100 + 100}::int) g`.execute(trx);
      });
    }
    const { error } = await timed(() =>
      inTransaction(database.db, async (trx) => {
        await sql`INSERT INTO probe VALUES (100000, 'doomed')`.execute(trx);
        await sql`SELECT pg_sleep(120)`.execute(trx);
      }),
    );
    expect(error).toBeInstanceOf(DeadlineExceeded);
    expect(await count(database, sql`note = 'committed'`)).toBe(500);
    expect(await count(database, sql`note = 'doomed'`)).toBe(0);
    // And it keeps working.
    await inTransaction(database.db, async (trx) => {
      await sql`INSERT INTO probe VALUES (100001, 'after')`.execute(trx);
    });
    expect(await count(database)).toBe(501);
  });

  it('lets statements queued behind the stopped one run afterwards', async () => {
    const long = timed(() => reading(() => sql`SELECT pg_sleep(120)`.execute(database.db)));
    const queued = count(database, sql`note = 'committed'`);
    expect((await long).error).toBeInstanceOf(DeadlineExceeded);
    await expect(queued).resolves.toBe(500);
  });

  it('outlives a restart of its own: the data is there for the next handle', async () => {
    await database.close();
    database = await scratch.reopen(DEADLINE_MS);
    expect(await count(database)).toBe(501);
  });
});

(onPostgres ? describe.skip : describe)('PGlite in a worker thread', () => {
  it("keeps the service's thread free while a statement runs: /healthz answers, timers fire", async () => {
    const scratch = await openScratch(DEADLINE_MS);
    try {
      const app = createRestApp({
        database: scratch.database,
        limits: TEST_LIMITS,
        identify: () => TEST_IDENTITY,
        logger: pino({ level: 'silent' }),
        metadata: TEST_METADATA,
      });
      let longestGap = 0;
      let last = Date.now();
      const ticker = setInterval(() => {
        const now = Date.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
      }, 20);
      const long = timed(() => reading(() => sql`SELECT pg_sleep(120)`.execute(scratch.database.db)));
      const health: number[] = [];
      try {
        // Every answer comes while the statement runs (it is stopped at the deadline, not before).
        while (health.length < 3) {
          const started = Date.now();
          const res = await request(app).get('/healthz');
          expect(res.status).toBe(200);
          health.push(Date.now() - started);
        }
        expect((await long).error).toBeInstanceOf(DeadlineExceeded);
      } finally {
        clearInterval(ticker);
      }
      // Before the worker thread, PGlite held this thread for the whole statement.
      expect(Math.max(...health)).toBeLessThan(DEADLINE_MS / 2);
      expect(longestGap).toBeLessThan(DEADLINE_MS / 2);
    } finally {
      await scratch.database.close();
      await scratch.drop();
    }
  });

  it('in memory, answers the caller at the deadline but lets the statement end, since stopping it would lose the database', async () => {
    const database = await openPglite({ dataDir: undefined, statementTimeoutMs: DEADLINE_MS });
    try {
      await sql`CREATE TABLE probe (id int PRIMARY KEY, note text NOT NULL)`.execute(database.db);
      await sql`INSERT INTO probe VALUES (1, 'committed')`.execute(database.db);
      const sleepSeconds = (DEADLINE_MS * 3) / 1000;
      const started = Date.now();
      const { error, ms } = await timed(() =>
        inTransaction(database.db, async (trx) => {
          await sql`INSERT INTO probe VALUES (2, 'doomed')`.execute(trx);
          await sql`SELECT pg_sleep(${sleepSeconds})`.execute(trx);
        }),
      );
      expect(error).toBeInstanceOf(DeadlineExceeded);
      expect(ms).toBeLessThan(DEADLINE_MS + LATE_MS);
      // The next statement waits for the sleeping one, then finds the transaction rolled back.
      expect(await count(database)).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(sleepSeconds * 1000 - 50);
      await sql`INSERT INTO probe VALUES (3, 'after')`.execute(database.db);
      expect(await count(database)).toBe(2);
    } finally {
      await database.close();
    }
  });
});

(onPostgres ? describe : describe.skip)('statement deadline over REST (PostgreSQL: a statement waiting on a lock)', () => {
  it('answers 504 DeadlineExceeded when a statement runs past the deadline', async () => {
    const catalog = await startTestCatalog({}, { statementTimeoutMs: 1000 });
    const locker = await catalog.database.db.connection().execute(async (connection) => {
      await sql`BEGIN`.execute(connection);
      await sql`LOCK TABLE entries IN ACCESS EXCLUSIVE MODE`.execute(connection);
      try {
        const started = Date.now();
        const res = await request(catalog.app).post('/api/v1/entries/stat').send({ items: [{ lfn: '/grid' }] });
        return { res, ms: Date.now() - started };
      } finally {
        await sql`ROLLBACK`.execute(connection);
      }
    });
    try {
      expect(locker.res.status).toBe(504);
      expect(locker.res.body).toMatchObject({ code: 'DeadlineExceeded', status: 504, type: '/docs/errors#DeadlineExceeded' });
      expect(locker.ms).toBeLessThan(1000 + LATE_MS);
    } finally {
      await catalog.close();
    }
  });
});

describe('what a cancelled statement becomes', () => {
  const cancelled = (message: string) => Object.assign(new Error(message), { code: '57014' });

  it('is DeadlineExceeded when the statement deadline stopped it (either engine says so alike)', () => {
    expect(toCatalogError(cancelled('canceling statement due to statement timeout'))).toBeInstanceOf(DeadlineExceeded);
    expect(toCatalogError(cancelled('canceling statement due to statement timeout (4000 ms)'))).toBeInstanceOf(DeadlineExceeded);
  });

  it('is Unavailable when an administrator cancelled it', () => {
    expect(toCatalogError(cancelled('canceling statement due to user request'))).toBeInstanceOf(Unavailable);
  });
});
