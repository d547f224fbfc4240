import * as core from '../../src/core';
import { startTestCatalog, type TestCatalog } from '../support/test-catalog';

// A fresh PGlite and its fixtures can take over a minute on a loaded machine (seen with parallel suites).
jest.setTimeout(180_000);

const codes = (results: readonly core.Result<unknown>[]) => results.map((r) => (r.ok ? 'ok' : r.error.code));

function values<T>(result: core.Result<T> | undefined): T {
  if (result === undefined || !result.ok) throw new Error(`expected success, got ${JSON.stringify(result)}`);
  return result.value;
}

describe('metadata in core', () => {
  let catalog: TestCatalog;
  let ctx: core.CatalogContext;

  beforeAll(async () => {
    catalog = await startTestCatalog();
    ctx = catalog.ctx;
    await core.makeDirectories(ctx, [{ lfn: '/m/run1', parents: true }]);
    await core.createFiles(ctx, [{ lfn: '/m/run1/a' }, { lfn: '/m/run1/b' }]);
    await core.createSymlinks(ctx, [{ lfn: '/m/link-a', target: '/m/run1/a' }]);
    await core.createSchema(ctx, {
      name: 'physics',
      attributes: [
        { name: 'run', type: 'int' },
        { name: 'energy', type: 'float' },
        { name: 'detector', type: 'string' },
        { name: 'good', type: 'bool' },
        { name: 'taken', type: 'timestamp' },
      ],
    });
  });
  afterAll(() => catalog.close());

  describe('schemas', () => {
    it('creates, describes and lists schemas with attributes in name order', async () => {
      expect(await core.describeSchema(ctx, 'physics')).toEqual({
        name: 'physics',
        attributes: [
          { name: 'detector', type: 'string' },
          { name: 'energy', type: 'float' },
          { name: 'good', type: 'bool' },
          { name: 'run', type: 'int' },
          { name: 'taken', type: 'timestamp' },
        ],
      });
      await core.createSchema(ctx, { name: 'empty', attributes: [] });
      expect((await core.listSchemas(ctx)).map((s) => s.name)).toEqual(['empty', 'physics']);
    });

    it('keeps attribute names unique across schemas, and creates nothing on a clash', async () => {
      await expect(core.createSchema(ctx, { name: 'other', attributes: [{ name: 'x', type: 'int' }, { name: 'run', type: 'int' }] })).rejects.toMatchObject({
        code: 'Exists',
        message: expect.stringContaining('schema "physics"'),
      });
      await expect(core.describeSchema(ctx, 'other')).rejects.toMatchObject({ code: 'NotExists' });
      await expect(core.createSchema(ctx, { name: 'physics', attributes: [] })).rejects.toMatchObject({ code: 'Exists' });
    });

    it('refuses unknown types, duplicate names and bad names', async () => {
      await expect(core.createSchema(ctx, { name: 's1', attributes: [{ name: 'a', type: 'varchar' }] })).rejects.toMatchObject({ code: 'InvalidArgument' });
      await expect(core.createSchema(ctx, { name: 's1', attributes: [{ name: 'a', type: 'int' }, { name: 'a', type: 'int' }] })).rejects.toMatchObject({ code: 'InvalidArgument' });
      await expect(core.createSchema(ctx, { name: '', attributes: [] })).rejects.toMatchObject({ code: 'InvalidArgument' });
      await expect(core.createSchema(ctx, { name: 's1', attributes: [{ name: 'a\u0000b', type: 'int' }] })).rejects.toMatchObject({ code: 'InvalidArgument' });
    });

    it('adds and removes attributes; removal of one in use needs force', async () => {
      await core.createSchema(ctx, { name: 'extra', attributes: [{ name: 'note', type: 'string' }] });
      expect((await core.addSchemaAttributes(ctx, 'extra', [{ name: 'version', type: 'int' }])).attributes).toEqual([
        { name: 'note', type: 'string' },
        { name: 'version', type: 'int' },
      ]);
      expect(codes(await core.setAttributes(ctx, [{ lfn: '/m/run1/b', attributes: { version: 3 } }]))).toEqual(['ok']);
      await expect(core.removeSchemaAttributes(ctx, 'extra', ['version'])).rejects.toMatchObject({ code: 'Conflict' });
      await expect(core.removeSchemaAttributes(ctx, 'extra', ['nope'])).rejects.toMatchObject({ code: 'NotExists' });
      expect((await core.removeSchemaAttributes(ctx, 'extra', ['version'], { force: true })).attributes).toEqual([{ name: 'note', type: 'string' }]);
      expect(values((await core.getAttributes(ctx, [{ lfn: '/m/run1/b' }]))[0])).toEqual([]);
    });

    it('drops a schema only when unused, unless forced', async () => {
      await core.setAttributes(ctx, [{ lfn: '/m/run1/b', attributes: { note: 'hello' } }]);
      await expect(core.dropSchema(ctx, 'extra')).rejects.toMatchObject({ code: 'Conflict' });
      await core.dropSchema(ctx, 'extra', { force: true });
      await expect(core.describeSchema(ctx, 'extra')).rejects.toMatchObject({ code: 'NotExists' });
      expect(values((await core.getAttributes(ctx, [{ lfn: '/m/run1/b' }]))[0])).toEqual([]);
      await core.dropSchema(ctx, 'empty');
      await expect(core.dropSchema(ctx, 'empty')).rejects.toMatchObject({ code: 'NotExists' });
    });
  });

  describe('attributes on entries', () => {
    it('sets typed values on files and directories and reads them back', async () => {
      const results = await core.setAttributes(ctx, [
        { lfn: '/m/run1/a', attributes: { run: 1001, energy: 13.6, detector: 'tpc', good: true, taken: '2024-05-01T12:00:00+02:00' } },
        { lfn: '/m/run1', attributes: { detector: 'its' } },
      ]);
      expect(codes(results)).toEqual(['ok', 'ok']);
      const [a, dir] = await core.getAttributes(ctx, [{ lfn: '/m/run1/a' }, { lfn: '/m/run1' }]);
      expect(values(a)).toEqual([
        { name: 'detector', type: 'string', schema: 'physics', value: 'tpc' },
        { name: 'energy', type: 'float', schema: 'physics', value: 13.6 },
        { name: 'good', type: 'bool', schema: 'physics', value: true },
        { name: 'run', type: 'int', schema: 'physics', value: 1001 },
        { name: 'taken', type: 'timestamp', schema: 'physics', value: new Date('2024-05-01T10:00:00Z') },
      ]);
      expect(values(dir)).toEqual([{ name: 'detector', type: 'string', schema: 'physics', value: 'its' }]);
    });

    it('follows symlinks, reads named attributes only, and lists names and types', async () => {
      const [named] = await core.getAttributes(ctx, [{ lfn: '/m/link-a', names: ['run', 'good'] }]);
      expect(values(named).map((a) => [a.name, a.value])).toEqual([
        ['good', true],
        ['run', 1001],
      ]);
      const [listed] = await core.listAttributes(ctx, [{ lfn: '/m/run1/a' }]);
      expect(values(listed).map((a) => `${a.name}:${a.type}`)).toEqual(['detector:string', 'energy:float', 'good:bool', 'run:int', 'taken:timestamp']);
    });

    it('checks every value against its type and fails the whole item', async () => {
      const results = await core.setAttributes(ctx, [
        { lfn: '/m/run1/b', attributes: { run: 7, energy: 'high' } },
        { lfn: '/m/run1/b', attributes: { run: 1.5 } },
        { lfn: '/m/run1/b', attributes: { run: 2 ** 53 } },
        { lfn: '/m/run1/b', attributes: { good: 'yes' } },
        { lfn: '/m/run1/b', attributes: { taken: '2024-02-31' } },
        { lfn: '/m/run1/b', attributes: { taken: 1714560000 } },
        { lfn: '/m/run1/b', attributes: { detector: 5 } },
        { lfn: '/m/run1/b', attributes: { unknown: 'x' } },
        { lfn: '/m/run1/nope', attributes: { run: 1 } },
        { lfn: 'relative', attributes: { run: 1 } },
        { lfn: '/m/run1/b', attributes: { detector: null } },
      ]);
      expect(codes(results)).toEqual([
        'InvalidArgument',
        'InvalidArgument',
        'InvalidArgument',
        'InvalidArgument',
        'InvalidArgument',
        'InvalidArgument',
        'InvalidArgument',
        'InvalidArgument',
        'NotExists',
        'InvalidArgument',
        'InvalidArgument',
      ]);
      expect(values((await core.getAttributes(ctx, [{ lfn: '/m/run1/b' }]))[0])).toEqual([]);
    });

    it('lets the last item win when two set one attribute of one entry', async () => {
      expect(codes(await core.setAttributes(ctx, [
        { lfn: '/m/run1/b', attributes: { run: 1 } },
        { lfn: '/m/run1/b', attributes: { run: 2 } },
      ]))).toEqual(['ok', 'ok']);
      expect(values((await core.getAttributes(ctx, [{ lfn: '/m/run1/b', names: ['run'] }]))[0])[0]?.value).toBe(2);
    });

    it('clears attributes, tolerates clearing an unset one, refuses an unknown one', async () => {
      const results = await core.clearAttributes(ctx, [
        { lfn: '/m/run1/b', names: ['run', 'energy'] },
        { lfn: '/m/run1/b', names: ['nope'] },
        { lfn: '/m/run1/b', names: [] },
      ]);
      expect(codes(results)).toEqual(['ok', 'InvalidArgument', 'InvalidArgument']);
      expect(values((await core.getAttributes(ctx, [{ lfn: '/m/run1/b' }]))[0])).toEqual([]);
    });

    it('removes values with their entry', async () => {
      await core.createFiles(ctx, [{ lfn: '/m/run1/c' }]);
      await core.setAttributes(ctx, [{ lfn: '/m/run1/c', attributes: { run: 5 } }]);
      await core.removeEntries(ctx, [{ lfn: '/m/run1/c' }]);
      const left = await catalog.database.db.selectFrom('metadata_values').select('entry_id').where('v_int', '=', 5).execute();
      expect(left).toEqual([]);
    });
  });

  describe('free-form attributes', () => {
    it('are refused unless the site allows them, and then are strings only', async () => {
      const open = await startTestCatalog({}, { metadata: { freeFormAttributes: true } });
      try {
        await core.makeDirectories(open.ctx, [{ lfn: '/f' }]);
        const results = await core.setAttributes(open.ctx, [
          { lfn: '/f', attributes: { comment: 'free text' } },
          { lfn: '/f', attributes: { count: 3 } },
        ]);
        expect(codes(results)).toEqual(['ok', 'InvalidArgument']);
        expect(values((await core.getAttributes(open.ctx, [{ lfn: '/f' }]))[0])).toEqual([
          { name: 'comment', type: 'string', schema: null, value: 'free text' },
        ]);
        await expect(core.createSchema(open.ctx, { name: 's', attributes: [{ name: 'comment', type: 'string' }] })).rejects.toMatchObject({
          code: 'Exists',
          message: expect.stringContaining('free-form'),
        });
      } finally {
        await open.close();
      }
    });
  });
});
