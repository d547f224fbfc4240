import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type RawBuilder } from 'kysely';
import {
  addReplicas,
  createFiles,
  createSymlinks,
  lookupGuids,
  makeDirectories,
  moveEntries,
  removeEntries,
  removeReplicas,
  setMasterReplicas,
  statEntries,
  CatalogError,
  fail,
  type CreateFileItem,
  type Entry,
  type Result,
} from '../../src/core';
import { startTestCatalog, type TestCatalog } from '../support/test-catalog';

/**
 * The catalog under concurrency. Core is driven directly with many requests in flight at once: on
 * PostgreSQL (DATABASE_URL set) they really run concurrently on a pool of 10 connections; on PGlite
 * they are serialized, and must give the same answers. Every race ends with SQL checks of the
 * invariants that hold whatever the interleaving.
 */
jest.setTimeout(60_000);

describe('concurrency and atomicity (core)', () => {
  let catalog: TestCatalog;

  beforeAll(async () => {
    catalog = await startTestCatalog();
  });
  afterAll(() => catalog.close());

  const ctx = () => catalog.ctx;
  const db = () => catalog.ctx.db;

  const code = (result: Result<unknown>): string => (result.ok ? 'ok' : result.error.code);

  /** What a request answered: its per-item results, or the error that failed it as a whole. */
  type Answer<T> = Result<T>[] | CatalogError;
  const settle = <T>(request: Promise<Result<T>[]>): Promise<Answer<T>> =>
    request.catch((error: unknown) => {
      if (error instanceof CatalogError) return error;
      throw error;
    });
  /** The code of a one-item request: its item's code, or `request:<code>` when the whole request failed. */
  const answerCode = (answer: Answer<unknown>): string => {
    if (answer instanceof CatalogError) return `request:${answer.code}`;
    expect(answer).toHaveLength(1);
    return code(answer[0]!);
  };
  /** Per-item results of a request; when it failed as a whole, every item failed with that error. */
  const resultsOf = <T>(answer: Answer<T>, items: number, onRequestError: (error: CatalogError) => void): Result<T>[] => {
    if (!(answer instanceof CatalogError)) return answer;
    onRequestError(answer);
    return Array.from({ length: items }, () => fail<T>(answer));
  };
  /** Runs `n` requests at once; a request failing as a whole is an answer too, not a crash of the test. */
  const parallel = <T>(n: number, request: (i: number) => Promise<Result<T>[]>): Promise<Answer<T>[]> =>
    Promise.all(Array.from({ length: n }, (_, i) => settle(request(i))));
  /** The one-item answers of many one-item requests, as codes. */
  const codesOf = (answers: readonly Answer<unknown>[]): string[] => answers.map(answerCode);
  const tally = (codes: readonly string[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const c of codes) out[c] = (out[c] ?? 0) + 1;
    return out;
  };

  const surl = (path: string) => `srm://se1.example.org/data${path}`;

  async function countEntries(pattern: string): Promise<number> {
    const row = await db()
      .selectFrom('entries')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('lfn', 'like', pattern)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function rows<R>(query: RawBuilder<R>): Promise<R[]> {
    return (await query.execute(db())).rows;
  }

  async function exists(lfn: string): Promise<boolean> {
    const [result] = await statEntries(ctx(), [{ lfn, follow: false }]);
    if (result!.ok) return true;
    expect(result!.error.code).toBe('NotExists');
    return false;
  }

  /**
   * Deadlocks PostgreSQL detected in this test database so far (null on PGlite, which runs one
   * transaction at a time). A deadlock is retried by `inTransaction`, so answers stay right, but each one
   * costs `deadlock_timeout` (1 s by default) and a retry: operations must lock in a consistent order.
   * Backends flush their statistics about a second after going idle (later on a loaded machine), so the
   * count is read until it stays the same across a pause: a test does not inherit an earlier test's.
   */
  async function deadlocks(): Promise<number | null> {
    if (catalog.engine !== 'postgres') return null;
    const read = async () =>
      (await rows(sql<{ n: number }>`SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()`))[0]!.n;
    let last = await read();
    for (let attempt = 0; attempt < 5; attempt++) {
      await sleep(1200);
      const now = await read();
      if (now === last) return now;
      last = now;
    }
    return last;
  }

  /**
   * The invariants of the whole catalog, checked with SQL whatever the interleaving was. Each check
   * lists the rows that break it. A violation fails the test that first sees it; later tests report only
   * violations of their own, so one bug does not fail every test after it.
   */
  const INVARIANTS: readonly { readonly name: string; readonly query: RawBuilder<Record<string, unknown>> }[] = [
    {
      name: "an entry's LFN is its parent's LFN plus its name",
      query: sql`
        SELECT c.lfn AS child, p.lfn AS parent FROM entries c JOIN entries p ON p.id = c.parent_id
        WHERE c.lfn <> (CASE WHEN p.lfn = '/' THEN '' ELSE p.lfn END) || '/' || c.name`,
    },
    {
      name: 'every entry but the root has a parent, and parents are directories',
      query: sql`
        SELECT c.lfn FROM entries c LEFT JOIN entries p ON p.id = c.parent_id
        WHERE (c.parent_id IS NOT NULL AND p.id IS NULL) OR (c.parent_id IS NULL AND c.lfn <> '/')
           OR (p.id IS NOT NULL AND p.kind <> 'directory')`,
    },
    {
      name: 'no GUID on two entries, and only files carry one',
      query: sql`
        SELECT guid FROM entries WHERE guid IS NOT NULL GROUP BY guid HAVING count(*) > 1
        UNION ALL SELECT guid FROM entries WHERE guid IS NOT NULL AND kind <> 'file'`,
    },
    { name: 'no SURL on two rows', query: sql`SELECT surl FROM replicas GROUP BY surl HAVING count(*) > 1` },
    {
      name: "every replica's GUID belongs to a file entry",
      query: sql`SELECT r.surl FROM replicas r LEFT JOIN entries e ON e.guid = r.guid AND e.kind = 'file' WHERE e.id IS NULL`,
    },
    {
      // Covers "at most one master per GUID" too.
      name: 'every file with replicas has exactly one master',
      query: sql`
        SELECT e.lfn, r.guid, count(*)::int AS replicas, count(*) FILTER (WHERE r.is_master)::int AS masters
        FROM replicas r LEFT JOIN entries e ON e.guid = r.guid GROUP BY e.lfn, r.guid
        HAVING count(*) FILTER (WHERE r.is_master) <> 1`,
    },
  ];
  const reportedViolations = new Set<string>();

  async function freshViolations(): Promise<string[]> {
    const violations: string[] = [];
    for (const invariant of INVARIANTS) {
      for (const row of await rows(invariant.query)) violations.push(`${invariant.name}: ${JSON.stringify(row)}`);
    }
    const fresh = violations.filter((v) => !reportedViolations.has(v));
    for (const v of fresh) reportedViolations.add(v);
    return fresh;
  }

  async function expectInvariants(): Promise<void> {
    expect(await freshViolations()).toEqual([]);
  }

  // A test that failed before checking the invariants owns what it broke: later tests do not report it.
  afterEach(async () => {
    await freshViolations();
  });

  beforeAll(async () => {
    const made = await makeDirectories(
      ctx(),
      ['/same', '/guid', '/surl', '/add', '/masters', '/atomic', '/m', '/r', '/bulk'].map((lfn) => ({ lfn })),
    );
    expect(made.map(code)).toEqual(Array(9).fill('ok'));
  });

  describe('one winner when many requests create the same name', () => {
    it('20 parallel creates of the same file: one ok, 19 Exists, one row', async () => {
      const answers = await parallel(20, () => createFiles(ctx(), [{ lfn: '/same/file', size: 1 }]));
      expect(tally(codesOf(answers))).toEqual({ ok: 1, Exists: 19 });
      expect(await countEntries('/same/file')).toBe(1);
      await expectInvariants();
    });

    it('20 parallel mkdir (no parents) of the same directory: one ok, 19 Exists, one row', async () => {
      const answers = await parallel(20, () => makeDirectories(ctx(), [{ lfn: '/same/dir' }]));
      expect(tally(codesOf(answers))).toEqual({ ok: 1, Exists: 19 });
      expect(await countEntries('/same/dir')).toBe(1);
      await expectInvariants();
    });

    it('20 parallel creates of the same symlink: one ok, 19 Exists, one row', async () => {
      const answers = await parallel(20, (i) => createSymlinks(ctx(), [{ lfn: '/same/link', target: `/same/target${i}` }]));
      expect(tally(codesOf(answers))).toEqual({ ok: 1, Exists: 19 });
      expect(await countEntries('/same/link')).toBe(1);
      await expectInvariants();
    });

    it('a file, a directory and a symlink racing for one name: exactly one of them', async () => {
      const answers = await parallel(21, (i): Promise<Result<Entry>[]> => {
        switch (i % 3) {
          case 0:
            return createFiles(ctx(), [{ lfn: '/same/mixed' }]);
          case 1:
            return makeDirectories(ctx(), [{ lfn: '/same/mixed' }]);
          default:
            return createSymlinks(ctx(), [{ lfn: '/same/mixed', target: '/same/file' }]);
        }
      });
      expect(tally(codesOf(answers))).toEqual({ ok: 1, Exists: 20 });
      expect(await countEntries('/same/mixed')).toBe(1);
      await expectInvariants();
    });
  });

  describe('mkdir -p of overlapping trees', () => {
    it('20 parallel requests all succeed and every directory exists exactly once', async () => {
      const answers = await parallel(20, (i) =>
        makeDirectories(ctx(), [
          { lfn: `/c/a/b/c/d${i}`, parents: true },
          { lfn: `/c/a/b/x${i}`, parents: true },
          { lfn: '/c/a/b/c', parents: true },
          { lfn: `/c/y/${i % 4}/z`, parents: true },
        ]),
      );
      answers.forEach((results, i) => {
        if (results instanceof CatalogError) throw new Error(`request ${i} failed as a whole: ${results.code}: ${results.message}`);
        expect(results.map(code)).toEqual(['ok', 'ok', 'ok', 'ok']);
        // Each request is told about the directory it asked for.
        expect(results[0]).toMatchObject({ ok: true, value: { lfn: `/c/a/b/c/d${i}`, kind: 'directory' } });
        expect(results[1]).toMatchObject({ ok: true, value: { lfn: `/c/a/b/x${i}`, kind: 'directory' } });
      });

      const dirs = await db().selectFrom('entries').select(['lfn', 'kind']).where('lfn', 'like', '/c/%').execute();
      const expected = new Set<string>(['/c/a', '/c/a/b', '/c/a/b/c', '/c/y']);
      for (let i = 0; i < 20; i++) expected.add(`/c/a/b/c/d${i}`).add(`/c/a/b/x${i}`);
      for (let k = 0; k < 4; k++) expected.add(`/c/y/${k}`).add(`/c/y/${k}/z`);
      expect(dirs.map((d) => d.lfn).sort()).toEqual([...expected].sort());
      expect(dirs.every((d) => d.kind === 'directory')).toBe(true);
      expect(await countEntries('/c')).toBe(1);
      await expectInvariants();
    });
  });

  describe('GUIDs and SURLs are claimed once', () => {
    it('20 parallel creates of different LFNs with one GUID: exactly one succeeds', async () => {
      const guid = randomUUID();
      const answers = await parallel(20, (i) => createFiles(ctx(), [{ lfn: `/guid/f${i}`, guid }]));
      const codes = codesOf(answers);
      expect(tally(codes)).toEqual({ ok: 1, Exists: 19 });
      const winner = codes.indexOf('ok');
      const holders = await db().selectFrom('entries').select('lfn').where('guid', '=', guid).execute();
      expect(holders).toEqual([{ lfn: `/guid/f${winner}` }]);
      expect(await countEntries('/guid/%')).toBe(1);
      await expectInvariants();
    });

    it('20 parallel creates of different files with a replica at one SURL: one file, no trace of the losers', async () => {
      const shared = surl('/surl/shared');
      const answers = await parallel(20, (i) => createFiles(ctx(), [{ lfn: `/surl/f${i}`, replicas: [{ surl: shared }] }]));
      const codes = codesOf(answers);
      expect(tally(codes)).toEqual({ ok: 1, Exists: 19 });
      const winner = codes.indexOf('ok');
      // The losers left no entry: no file ever exists without its replica claim.
      const files = await db().selectFrom('entries').select(['lfn', 'guid']).where('lfn', 'like', '/surl/%').execute();
      expect(files.map((f) => f.lfn)).toEqual([`/surl/f${winner}`]);
      const replicas = await db().selectFrom('replicas').select(['guid', 'is_master']).where('surl', '=', shared).execute();
      expect(replicas).toEqual([{ guid: files[0]!.guid, is_master: true }]);
      await expectInvariants();
    });

    it('20 parallel addReplicas of one SURL to different files: exactly one ok', async () => {
      const made = await createFiles(ctx(), Array.from({ length: 20 }, (_, i) => ({ lfn: `/add/f${i}` })));
      expect(made.map(code)).toEqual(Array(20).fill('ok'));
      const shared = surl('/add/shared');
      const answers = await parallel(20, (i) => addReplicas(ctx(), [{ lfn: `/add/f${i}`, surl: shared }]));
      const codes = codesOf(answers);
      expect(tally(codes)).toEqual({ ok: 1, Exists: 19 });
      const winner = made[codes.indexOf('ok')]!;
      if (!winner.ok) throw new Error('unreachable');
      const replicas = await db().selectFrom('replicas').select(['guid', 'is_master']).where('surl', '=', shared).execute();
      expect(replicas).toEqual([{ guid: winner.value.guid, is_master: true }]);
      await expectInvariants();
    });
  });

  describe('the master replica under concurrent changes', () => {
    it('parallel addReplicas of different SURLs to one file without replicas: all ok, exactly one master', async () => {
      const [made] = await createFiles(ctx(), [{ lfn: '/masters/one' }]);
      if (!made!.ok) throw new Error(`setup failed: ${made!.error.message}`);
      const answers = await parallel(20, (i) => addReplicas(ctx(), [{ lfn: '/masters/one', surl: surl(`/masters/one/r${i}`) }]));
      expect(codesOf(answers)).toEqual(Array(20).fill('ok'));
      const replicas = await db().selectFrom('replicas').select(['surl', 'is_master']).where('guid', '=', made!.value.guid).execute();
      expect(replicas).toHaveLength(20);
      expect(replicas.filter((r) => r.is_master)).toHaveLength(1);
      // The answers agree with the table: exactly one request was told its replica is the master.
      const toldMaster = answers.filter((a) => !(a instanceof CatalogError) && a[0]!.ok && a[0]!.value.master);
      expect(toldMaster).toHaveLength(1);
      await expectInvariants();
    });

    it('parallel addReplicas that each ask to be the master: all ok, exactly one master', async () => {
      const [made] = await createFiles(ctx(), [{ lfn: '/masters/contested', replicas: [{ surl: surl('/masters/contested/r0') }] }]);
      if (!made!.ok) throw new Error(`setup failed: ${made!.error.message}`);
      const answers = await parallel(20, (i) =>
        addReplicas(ctx(), [{ lfn: '/masters/contested', surl: surl(`/masters/contested/m${i}`), master: true }]),
      );
      expect(tally(codesOf(answers))).toEqual({ ok: 20 });
      const replicas = await db().selectFrom('replicas').select(['surl', 'is_master']).where('guid', '=', made!.value.guid).execute();
      expect(replicas).toHaveLength(21);
      expect(replicas.filter((r) => r.is_master)).toHaveLength(1);
      await expectInvariants();
    });

    it('20 parallel setMaster of different replicas of one file: all ok, exactly one master', async () => {
      const replicas = Array.from({ length: 20 }, (_, i) => ({ surl: surl(`/masters/set/r${i}`) }));
      const [made] = await createFiles(ctx(), [{ lfn: '/masters/set', replicas }]);
      if (!made!.ok) throw new Error(`setup failed: ${made!.error.message}`);
      const answers = await parallel(20, (i) => setMasterReplicas(ctx(), [{ lfn: '/masters/set', surl: surl(`/masters/set/r${i}`) }]));
      expect(tally(codesOf(answers))).toEqual({ ok: 20 });
      const masters = await db().selectFrom('replicas').select('surl').where('guid', '=', made!.value.guid).where('is_master', '=', true).execute();
      expect(masters).toHaveLength(1);
      await expectInvariants();
    });

    it('removing the only replica (the master) while another is added: the file keeps exactly one master', async () => {
      const rounds = 20;
      const made = await createFiles(
        ctx(),
        Array.from({ length: rounds }, (_, i) => ({ lfn: `/masters/swap${i}`, replicas: [{ surl: surl(`/masters/swap${i}/old`) }] })),
      );
      expect(made.map(code)).toEqual(Array(rounds).fill('ok'));
      for (let i = 0; i < rounds; i++) {
        const answers = await Promise.all([
          settle(removeReplicas(ctx(), [{ lfn: `/masters/swap${i}`, surl: surl(`/masters/swap${i}/old`) }])),
          settle(addReplicas(ctx(), [{ lfn: `/masters/swap${i}`, surl: surl(`/masters/swap${i}/new`) }])),
        ]);
        expect(codesOf(answers)).toEqual(['ok', 'ok']);
      }
      const states = await rows(sql<{ lfn: string; replicas: number; masters: number }>`
        SELECT e.lfn, count(r.surl)::int AS replicas, count(r.surl) FILTER (WHERE r.is_master)::int AS masters
        FROM entries e LEFT JOIN replicas r ON r.guid = e.guid WHERE e.lfn LIKE '/masters/swap%' GROUP BY e.lfn`);
      const broken = states.filter((s) => s.replicas !== 1 || s.masters !== 1);
      expect(broken).toEqual([]);
      await expectInvariants();
    });

    it('removing the master while its would-be successor is removed: exactly one master remains', async () => {
      const rounds = 20;
      const made = await createFiles(
        ctx(),
        Array.from({ length: rounds }, (_, i) => ({
          lfn: `/masters/succ${i}`,
          replicas: ['m', 'r', 's'].map((n) => ({ surl: surl(`/masters/succ${i}/${n}`) })),
        })),
      );
      expect(made.map(code)).toEqual(Array(rounds).fill('ok'));
      for (let i = 0; i < rounds; i++) {
        // m is the master; r is the oldest other replica, the one promoted when m goes.
        const answers = await Promise.all([
          settle(removeReplicas(ctx(), [{ lfn: `/masters/succ${i}`, surl: surl(`/masters/succ${i}/m`) }])),
          settle(removeReplicas(ctx(), [{ lfn: `/masters/succ${i}`, surl: surl(`/masters/succ${i}/r`) }])),
        ]);
        expect(codesOf(answers)).toEqual(['ok', 'ok']);
      }
      const masters = await rows(sql<{ surl: string }>`
        SELECT r.surl FROM replicas r JOIN entries e ON e.guid = r.guid WHERE e.lfn LIKE '/masters/succ%' AND r.is_master ORDER BY r.surl`);
      expect(masters.map((m) => m.surl)).toEqual(
        Array.from({ length: rounds }, (_, i) => surl(`/masters/succ${i}/s`)).sort(),
      );
      await expectInvariants();
    });

    it('a file removed while a replica is added to it: no replica outlives its file', async () => {
      const rounds = 20;
      const made = await createFiles(ctx(), Array.from({ length: rounds }, (_, i) => ({ lfn: `/masters/gone${i}` })));
      expect(made.map(code)).toEqual(Array(rounds).fill('ok'));
      for (let i = 0; i < rounds; i++) {
        const [removed, added] = await Promise.all([
          settle(removeEntries(ctx(), [{ lfn: `/masters/gone${i}` }])),
          settle(addReplicas(ctx(), [{ lfn: `/masters/gone${i}`, surl: surl(`/masters/gone${i}`) }])),
        ]);
        expect(answerCode(removed)).toBe('ok');
        expect(['ok', 'NotExists']).toContain(answerCode(added));
      }
      expect(await countEntries('/masters/gone%')).toBe(0);
      expect(await db().selectFrom('replicas').select('surl').where('surl', 'like', '%/masters/gone%').execute()).toEqual([]);
      await expectInvariants();
    });
  });

  describe('a file and its replicas are one item', () => {
    it('an item whose second replica is taken fails whole and does not register its first replica', async () => {
      const taken = surl('/atomic/taken');
      const [owner] = await createFiles(ctx(), [{ lfn: '/atomic/owner', replicas: [{ surl: taken }] }]);
      expect(owner).toMatchObject({ ok: true });

      const fresh = surl('/atomic/fresh');
      const [result] = await createFiles(ctx(), [{ lfn: '/atomic/bad', replicas: [{ surl: fresh }, { surl: taken }] }]);
      expect(result).toMatchObject({ ok: false, error: { code: 'Exists' } });

      expect(await countEntries('/atomic/bad')).toBe(0);
      expect(await db().selectFrom('replicas').select('surl').where('surl', '=', fresh).execute()).toEqual([]);
      const lookups = await lookupGuids(ctx(), [{ surl: fresh }, { surl: taken }, { lfn: '/atomic/bad' }]);
      expect(lookups.map(code)).toEqual(['NotExists', 'ok', 'NotExists']);
      if (!owner!.ok || !lookups[1]!.ok) throw new Error('unreachable');
      expect(lookups[1]!.value).toEqual({ guid: owner!.value.guid, lfn: '/atomic/owner' });
      await expectInvariants();
    });

    it('mixed with good items in one request, only the bad item fails', async () => {
      const taken = surl('/atomic/taken');
      const items: CreateFileItem[] = [
        { lfn: '/atomic/good1', replicas: [{ surl: surl('/atomic/good1') }] },
        { lfn: '/atomic/bad2', replicas: [{ surl: surl('/atomic/bad2-new') }, { surl: taken }] },
        { lfn: '/atomic/good2', replicas: [{ surl: surl('/atomic/good2a') }, { surl: surl('/atomic/good2b'), master: true }] },
        { lfn: '/atomic/bad3', replicas: [{ surl: surl('/atomic/bad3-new') }, { surl: surl('/atomic/good1') }] },
      ];
      const results = await createFiles(ctx(), items);
      expect(results.map(code)).toEqual(['ok', 'Exists', 'ok', 'Exists']);

      expect(await exists('/atomic/good1')).toBe(true);
      expect(await exists('/atomic/good2')).toBe(true);
      expect(await exists('/atomic/bad2')).toBe(false);
      expect(await exists('/atomic/bad3')).toBe(false);
      const lookups = await lookupGuids(ctx(), [
        { surl: surl('/atomic/good1') },
        { surl: surl('/atomic/good2a') },
        { surl: surl('/atomic/good2b') },
        { surl: surl('/atomic/bad2-new') },
        { surl: surl('/atomic/bad3-new') },
      ]);
      expect(lookups.map(code)).toEqual(['ok', 'ok', 'ok', 'NotExists', 'NotExists']);
      expect(lookups[0]).toMatchObject({ ok: true, value: { lfn: '/atomic/good1' } });
      expect(lookups[2]).toMatchObject({ ok: true, value: { lfn: '/atomic/good2' } });
      const masters = await db().selectFrom('replicas').select('surl').where('surl', 'like', '%/atomic/good2%').where('is_master', '=', true).execute();
      expect(masters).toEqual([{ surl: surl('/atomic/good2b') }]);
      await expectInvariants();
    });

    it('parallel creates whose replica lists overlap: winners keep all their replicas, losers leave nothing', async () => {
      // File i claims SURLs s{i} and s{i+1}: neighbours collide, so roughly every other file can win.
      const answers = await parallel(20, (i) =>
        createFiles(ctx(), [{ lfn: `/atomic/chain${i}`, replicas: [{ surl: surl(`/atomic/s${i}`) }, { surl: surl(`/atomic/s${i + 1}`) }] }]),
      );
      const codes = codesOf(answers);
      expect(codes.every((c) => c === 'ok' || c === 'Exists')).toBe(true);
      expect(codes).toContain('ok');
      for (let i = 0; i < 20; i++) {
        expect(await exists(`/atomic/chain${i}`)).toBe(codes[i] === 'ok');
        // Two neighbours cannot both have won.
        if (i > 0) expect(codes[i] === 'ok' && codes[i - 1] === 'ok').toBe(false);
      }
      const owned = await rows(sql<{ surl: string; lfn: string }>`
        SELECT r.surl, e.lfn FROM replicas r JOIN entries e ON e.guid = r.guid WHERE e.lfn LIKE '/atomic/chain%'`);
      const expected = codes.flatMap((c, i) =>
        c === 'ok'
          ? [
              { surl: surl(`/atomic/s${i}`), lfn: `/atomic/chain${i}` },
              { surl: surl(`/atomic/s${i + 1}`), lfn: `/atomic/chain${i}` },
            ]
          : [],
      );
      const bySurl = (a: { surl: string }, b: { surl: string }) => (a.surl < b.surl ? -1 : a.surl > b.surl ? 1 : 0);
      expect(owned.sort(bySurl)).toEqual(expected.sort(bySurl));
      // No SURL registered to nobody: every one of s0..s20 is either a winner's or unregistered.
      const loose = await rows(sql<{ surl: string }>`
        SELECT r.surl FROM replicas r JOIN entries e ON e.guid = r.guid
        WHERE r.surl LIKE ${'%/atomic/s%'} AND e.lfn NOT LIKE '/atomic/chain%'`);
      expect(loose).toEqual([]);
      await expectInvariants();
    });
  });

  describe('moves racing with creates', () => {
    it('a directory moved while files are created in it: every LFN matches its parent, every created file is found once', async () => {
      const rounds = 30;
      const setup = await makeDirectories(ctx(), Array.from({ length: rounds }, (_, i) => ({ lfn: `/m/src${i}/sub`, parents: true })));
      expect(setup.map(code)).toEqual(Array(rounds).fill('ok'));

      const deadlocksBefore = await deadlocks();
      const unexpected: string[] = [];
      for (let i = 0; i < rounds; i++) {
        // Files both directly in the moved directory and one level down; the move is started a little
        // before, with, or a little after the create, so each interleaving gets its share.
        const names = Array.from({ length: 50 }, (_, j) => (j % 2 === 0 ? `sub/f${j}` : `g${j}`));
        const lag = i % 3;
        const [moved, answer] = await Promise.all([
          (async () => {
            if (lag === 2) await sleep(1);
            return moveEntries(ctx(), [{ from: `/m/src${i}`, to: `/m/dst${i}` }]);
          })(),
          (async () => {
            if (lag === 1) await sleep(1);
            return settle(
              createFiles(
                ctx(),
                names.map((name) => ({ lfn: `/m/src${i}/${name}`, replicas: [{ surl: surl(`/m/${i}/${name}`) }] })),
              ),
            );
          })(),
        ]);
        const created = resultsOf(answer, names.length, (error) => unexpected.push(`round ${i}: create request failed: ${error.code}: ${error.message}`));
        expect(moved).toHaveLength(1);
        if (!moved[0]!.ok) unexpected.push(`round ${i}: move answered ${moved[0]!.error.code}: ${moved[0]!.error.message}`);
        const moveOk = moved[0]!.ok;
        created.forEach((result, j) => {
          if (!result.ok && result.error.code !== 'NotExists') {
            unexpected.push(`round ${i}: create of ${names[j]} answered ${result.error.code}: ${result.error.message}`);
          }
        });

        const stats = await statEntries(
          ctx(),
          names.flatMap((name) => [{ lfn: `/m/src${i}/${name}` }, { lfn: `/m/dst${i}/${name}` }]),
        );
        names.forEach((name, j) => {
          const atSrc = stats[2 * j]!;
          const atDst = stats[2 * j + 1]!;
          const result = created[j]!;
          if (result.ok) {
            // Created before the move: moved with it. After the move the old parent is gone, so a create
            // can only succeed before it, and the file must now be at the new path, and only there.
            const where = moveOk ? atDst : atSrc;
            const elsewhere = moveOk ? atSrc : atDst;
            if (!where.ok || where.value.kind !== 'file' || where.value.guid !== result.value.guid || elsewhere.ok) {
              unexpected.push(
                `round ${i}: ${name} created ok (guid ${result.value.guid}) but src=${code(atSrc)} dst=${code(atDst)} after move ${moveOk ? 'ok' : 'failed'}`,
              );
            }
          } else if (atSrc.ok || atDst.ok) {
            unexpected.push(`round ${i}: ${name} failed (${result.error.code}) but exists: src=${code(atSrc)} dst=${code(atDst)}`);
          }
        });
      }
      expect(unexpected).toEqual([]);
      expect(await countEntries('/m/src%')).toBe(0);
      // The move and the creates lock the same directories; they must do so in the same order.
      expect(await deadlocks()).toBe(deadlocksBefore);
      await expectInvariants();
    });
  });

  describe('recursive removes racing with creates', () => {
    it('a tree removed while files are created in it: no orphans, nothing created survives a removed tree', async () => {
      const rounds = 30;
      const setup = await makeDirectories(ctx(), Array.from({ length: rounds }, (_, i) => ({ lfn: `/r/d${i}/sub`, parents: true })));
      expect(setup.map(code)).toEqual(Array(rounds).fill('ok'));
      const before = await createFiles(
        ctx(),
        Array.from({ length: rounds }, (_, i) => ({ lfn: `/r/d${i}/sub/old`, replicas: [{ surl: surl(`/r/${i}/old`) }] })),
      );
      expect(before.map(code)).toEqual(Array(rounds).fill('ok'));

      const deadlocksBefore = await deadlocks();
      const unexpected: string[] = [];
      for (let i = 0; i < rounds; i++) {
        const names = Array.from({ length: 50 }, (_, j) => (j % 2 === 0 ? `sub/f${j}` : `g${j}`));
        const lag = i % 3;
        const [removal, answer] = await Promise.all([
          (async () => {
            if (lag === 2) await sleep(1);
            return settle(removeEntries(ctx(), [{ lfn: `/r/d${i}`, recursive: true }]));
          })(),
          (async () => {
            if (lag === 1) await sleep(1);
            return settle(
              createFiles(
                ctx(),
                names.map((name) => ({ lfn: `/r/d${i}/${name}`, replicas: [{ surl: surl(`/r/${i}/${name}`) }] })),
              ),
            );
          })(),
        ]);
        const created = resultsOf(answer, names.length, (error) => unexpected.push(`round ${i}: create request failed: ${error.code}: ${error.message}`));
        const removed = resultsOf(removal, 1, () => undefined);
        expect(removed).toHaveLength(1);
        if (!removed[0]!.ok) unexpected.push(`round ${i}: remove answered ${removed[0]!.error.code}: ${removed[0]!.error.message}`);
        const removeOk = removed[0]!.ok;
        created.forEach((result, j) => {
          if (!result.ok && result.error.code !== 'NotExists') {
            unexpected.push(`round ${i}: create of ${names[j]} answered ${result.error.code}: ${result.error.message}`);
          }
        });

        if (removeOk) {
          // The whole tree went: whatever was created in it before went with it, and nothing could be
          // created in it after.
          const left = await db()
            .selectFrom('entries')
            .select('lfn')
            .where((eb) => eb.or([eb('lfn', '=', `/r/d${i}`), eb('lfn', 'like', `/r/d${i}/%`)]))
            .execute();
          if (left.length > 0) unexpected.push(`round ${i}: removed ok but left ${left.map((e) => e.lfn).join(', ')}`);
        }
        const stats = await statEntries(ctx(), names.map((name) => ({ lfn: `/r/d${i}/${name}` })));
        const surls = await lookupGuids(ctx(), names.map((name) => ({ surl: surl(`/r/${i}/${name}`) })));
        names.forEach((name, j) => {
          const result = created[j]!;
          const stat = stats[j]!;
          const replica = surls[j]!;
          if (result.ok) {
            // Created ok: either still there with its replica, or removed with its directory.
            const stillThere = stat.ok && stat.value.kind === 'file' && stat.value.guid === result.value.guid;
            if (!(stillThere || removeOk)) unexpected.push(`round ${i}: ${name} created ok but is gone (${code(stat)}) and the remove failed`);
            if (stillThere !== replica.ok) unexpected.push(`round ${i}: ${name} exists=${stillThere} but its replica lookup answered ${code(replica)}`);
          } else if (stat.ok || replica.ok) {
            unexpected.push(`round ${i}: ${name} failed (${result.error.code}) but stat=${code(stat)} replica=${code(replica)}`);
          }
        });
      }
      expect(unexpected).toEqual([]);
      expect(await deadlocks()).toBe(deadlocksBefore);
      // The foreign key guarantees it; assert it anyway, and that no replica outlived its file.
      expect(
        await rows(sql<{ lfn: string }>`
          SELECT c.lfn FROM entries c WHERE c.parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entries p WHERE p.id = c.parent_id)`),
      ).toEqual([]);
      expect(
        await rows(sql<{ surl: string }>`
          SELECT r.surl FROM replicas r WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.guid = r.guid)`),
      ).toEqual([]);
      await expectInvariants();
    });
  });

  describe('bulk', () => {
    it('creates 10,000 files with replicas in one request', async () => {
      const n = 10_000;
      const items: CreateFileItem[] = Array.from({ length: n }, (_, i) => ({
        lfn: `/bulk/f${i}`,
        size: i,
        replicas: [{ surl: surl(`/bulk/f${i}`) }],
      }));
      const started = Date.now();
      const results = await createFiles(ctx(), items);
      const elapsed = Date.now() - started;
      expect(results.filter((r) => r.ok)).toHaveLength(n);
      expect(await countEntries('/bulk/%')).toBe(n);
      const replicas = await db()
        .selectFrom('replicas')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('surl', 'like', '%/bulk/%')
        .executeTakeFirstOrThrow();
      expect(Number(replicas.n)).toBe(n);
      // Set-based: a handful of statements, not one round trip per item. Generous for slow machines.
      expect(elapsed).toBeLessThan(30_000);
      await expectInvariants();
    }, 60_000);
  });
});
