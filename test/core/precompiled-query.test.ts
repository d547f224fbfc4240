import * as core from '../../src/core';
import { PrecompiledQuery } from '../../src/db/precompiled';
import { anyText } from '../../src/db/sql-helpers';
import { StatementCounter } from '../support/statement-counter';
import { startTestCatalog, type TestCatalog } from '../support/test-catalog';

describe('PrecompiledQuery', () => {
  let catalog: TestCatalog;

  beforeAll(async () => {
    catalog = await startTestCatalog();
    const made = await core.makeDirectories(catalog.ctx, ['/pq/a', '/pq/b', '/pq/c'].map((lfn) => ({ lfn, parents: true })));
    expect(made.every((r) => r.ok)).toBe(true);
  });
  afterAll(() => catalog.close());

  const byLfn = () =>
    new PrecompiledQuery(
      // A constant ('directory') among the parameters, besides the placeholder.
      (db, lfns: readonly string[]) => db.selectFrom('entries').select(['lfn', 'kind']).where('lfn', '=', anyText(lfns)).where('kind', '=', 'directory').orderBy('lfn'),
      [[]],
    );

  it('answers as the builder would, for each call’s own arguments, compiling once per handle', async () => {
    const counter = new StatementCounter();
    const db = catalog.ctx.db.withPlugin(counter);
    const query = byLfn();
    expect((await query.execute(db, ['/pq/a', '/pq/b'])).map((r) => r.lfn)).toEqual(['/pq/a', '/pq/b']);
    expect((await query.execute(db, ['/pq/c', '/nowhere'])).map((r) => r.lfn)).toEqual(['/pq/c']);
    expect(await query.execute(db, [])).toEqual([]);
    const built = await db.selectFrom('entries').select(['lfn', 'kind']).where('lfn', '=', anyText(['/pq/b'])).where('kind', '=', 'directory').execute();
    expect(await query.execute(db, ['/pq/b'])).toEqual(built);
    // One compilation for the precompiled statement, one for the builder; five executions, plugins seeing each.
    expect(counter.compiled).toBe(2);
    expect(counter.executed).toBe(5);
  });

  it('runs on the handle it is given: in a transaction it sees that transaction’s own writes', async () => {
    const query = byLfn();
    const rolledBack = new Error('roll back');
    await expect(
      catalog.ctx.db.transaction().execute(async (trx) => {
        expect((await query.execute(trx, ['/pq/c'])).map((r) => r.lfn)).toEqual(['/pq/c']);
        await trx.deleteFrom('entries').where('lfn', '=', '/pq/c').execute();
        expect(await query.execute(trx, ['/pq/c'])).toEqual([]);
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect((await query.execute(catalog.ctx.db, ['/pq/c'])).map((r) => r.lfn)).toEqual(['/pq/c']);
  });

  it('refuses a placeholder that does not reach the parameters as given', async () => {
    const copied = new PrecompiledQuery((db, lfns: readonly string[]) => db.selectFrom('entries').select('lfn').where('lfn', '=', anyText([...lfns])), [[]]);
    await expect(copied.execute(catalog.ctx.db, ['/pq/a'])).rejects.toThrow(/placeholder 0 appears 0 times/);
  });
});
