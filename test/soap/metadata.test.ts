import type { Client } from 'soap';
import type { Identity } from '../../src/core/context';
import { TEST_IDENTITY } from '../support/test-catalog';
import { asArray, call, expectFault, list, startSoapService, type SoapTestService, switchableCaller } from './soap-harness';

type Attr = { name: string; value?: string | null; type?: string | null };

const OTHER: Identity = { dn: '/DC=org/DC=example/CN=Other User', group: 'others', groups: [] };
let svc: SoapTestService;
let fireman: Client;
let meta: Client;
const caller = switchableCaller(TEST_IDENTITY);

const DIR = '/grid/vo/m';
const attr = (name: string, value: string | null, type: string | null): Attr => ({ name, value, type });
const attrs = async (client: Client, operation: string, args: Record<string, unknown>) =>
  asArray(((await call(client, operation, args)) as { item?: Attr | Attr[] } | undefined)?.item);
const strings = async (client: Client, operation: string, args: Record<string, unknown> | null) =>
  asArray(((await call(client, operation, args)) as { item?: string | string[] } | undefined)?.item);

beforeAll(async () => {
  svc = await startSoapService({}, { identify: caller.identify });
  fireman = await svc.client('FiremanCatalog');
  meta = await svc.client('MetadataCatalog');
  await call(fireman, 'mkdir', { directories: list(DIR), createParents: true });
  await call(fireman, 'create', { entries: list(...['a', 'b', 'c', 'd'].map((n) => ({ lfn: `${DIR}/${n}`, guid: null }))) });
  await call(meta, 'createSchema', {
    schemaName: 'physics',
    attributes: list(attr('run', null, 'int'), attr('detector', null, 'string'), attr('energy', null, 'float'), attr('good', null, 'bool'), attr('taken', null, 'timestamp')),
  });
});
afterAll(async () => svc.close());

describe('MetadataSchema on MetadataCatalog', () => {
  it('lists and describes schemas', async () => {
    expect(await strings(meta, 'listSchemas', null)).toContain('physics');
    expect(await attrs(meta, 'describeSchema', { schemaName: 'physics' })).toEqual([
      { name: 'detector', type: 'string' },
      { name: 'energy', type: 'float' },
      { name: 'good', type: 'bool' },
      { name: 'run', type: 'int' },
      { name: 'taken', type: 'timestamp' },
    ].map((a) => expect.objectContaining(a)));
  });

  it('adds and removes attributes, and drops a schema', async () => {
    await call(meta, 'createSchema', { schemaName: 'tmp', attributes: list(attr('tmp.a', null, 'string')) });
    await call(meta, 'addSchemaAttributes', { schemaName: 'tmp', attributes: list(attr('tmp.b', null, 'int')) });
    expect((await attrs(meta, 'describeSchema', { schemaName: 'tmp' })).map((a) => a.name)).toEqual(['tmp.a', 'tmp.b']);
    await call(meta, 'removeSchemaAttributes', { schemaName: 'tmp', attributeNames: list('tmp.a') });
    expect((await attrs(meta, 'describeSchema', { schemaName: 'tmp' })).map((a) => a.name)).toEqual(['tmp.b']);
    await call(meta, 'dropSchema', { schemaName: 'tmp' });
    expect(await strings(meta, 'listSchemas', null)).not.toContain('tmp');
  });

  it('faults: existing schema or name, unknown schema, bad type, attribute in use', async () => {
    expect((await expectFault(call(meta, 'createSchema', { schemaName: 'physics', attributes: list() }))).name).toBe('ExistsException');
    expect((await expectFault(call(meta, 'createSchema', { schemaName: 'other', attributes: list(attr('run', null, 'int')) }))).name).toBe('ExistsException');
    expect((await expectFault(call(meta, 'describeSchema', { schemaName: 'none' }))).name).toBe('NotExistsException');
    expect((await expectFault(call(meta, 'dropSchema', { schemaName: 'none' }))).name).toBe('NotExistsException');
    expect((await expectFault(call(meta, 'createSchema', { schemaName: 'bad', attributes: list(attr('x', null, 'complex')) }))).name).toBe('InvalidArgumentException');
    await call(meta, 'createSchema', { schemaName: 'used', attributes: list(attr('used.a', null, 'string')) });
    await call(meta, 'setAttributes', { item: `${DIR}/d`, attributes: list(attr('used.a', 'x', 'string')) });
    const fault = await expectFault(call(meta, 'dropSchema', { schemaName: 'used' }));
    expect(fault.name).toBe('InvalidArgumentException');
    expect(fault.message).toMatch(/still set on entries/);
    await call(meta, 'clearAttributes', { item: `${DIR}/d`, attributeNames: list('used.a') });
    await call(meta, 'dropSchema', { schemaName: 'used' });
  });
});

describe.each(['FiremanCatalog', 'MetadataCatalog'])('MetadataBase on %s', (port) => {
  const client = () => (port === 'FiremanCatalog' ? fireman : meta);
  const item = `${DIR}/${port === 'FiremanCatalog' ? 'a' : 'b'}`;

  it('sets typed values from text and reads them back with their types', async () => {
    await call(client(), 'setAttributes', {
      item,
      attributes: list(attr('run', '1001', 'int'), attr('detector', 'tpc', 'string'), attr('energy', '13.5', 'float'), attr('good', 'true', 'bool'), attr('taken', '2024-05-01T12:00:00+02:00', 'timestamp')),
    });
    expect(await attrs(client(), 'getAttributes', { item, attributeNames: list('run', 'taken') })).toEqual([
      { name: 'run', value: '1001', type: 'int' },
      { name: 'taken', value: '2024-05-01T10:00:00.000Z', type: 'timestamp' },
    ]);
    expect((await attrs(client(), 'getAttributes', { item, attributeNames: list() })).map((a) => [a.name, a.value])).toEqual([
      ['detector', 'tpc'],
      ['energy', '13.5'],
      ['good', 'true'],
      ['run', '1001'],
      ['taken', '2024-05-01T10:00:00.000Z'],
    ]);
    expect((await attrs(client(), 'listAttributes', { item })).map((a) => [a.name, a.type])).toEqual([
      ['detector', 'string'],
      ['energy', 'float'],
      ['good', 'bool'],
      ['run', 'int'],
      ['taken', 'timestamp'],
    ]);
  });

  it('reads a nil type as the attribute’s own type', async () => {
    await call(client(), 'setAttributes', { item, attributes: list(attr('run', '7', null)) });
    expect(await attrs(client(), 'getAttributes', { item, attributeNames: list('run') })).toEqual([{ name: 'run', value: '7', type: 'int' }]);
  });

  it('clears attributes', async () => {
    await call(client(), 'clearAttributes', { item, attributeNames: list('good', 'energy') });
    expect((await attrs(client(), 'listAttributes', { item })).map((a) => a.name)).toEqual(['detector', 'run', 'taken']);
  });

  it('faults InvalidArgument for a value of the wrong type, and writes none of the call', async () => {
    for (const bad of [attr('run', 'many', 'int'), attr('run', '5', 'string'), attr('energy', 'x', 'float'), attr('good', 'yes', 'bool'), attr('taken', 'May 1', 'timestamp'), attr('run', '1', 'long')]) {
      const fault = await expectFault(call(client(), 'setAttributes', { item, attributes: list(attr('detector', 'its', 'string'), bad) }));
      expect(fault.name).toBe('InvalidArgumentException');
    }
    expect(await attrs(client(), 'getAttributes', { item, attributeNames: list('detector') })).toEqual([{ name: 'detector', value: 'tpc', type: 'string' }]);
    expect((await expectFault(call(client(), 'setAttributes', { item, attributes: list(attr('nosuch', 'v', 'string')) }))).name).toBe('InvalidArgumentException');
    expect((await expectFault(call(client(), 'getAttributes', { item, attributeNames: list('nosuch') }))).name).toBe('InvalidArgumentException');
  });

  it('faults NotExists for an unknown item and Authorization for a caller without rights', async () => {
    expect((await expectFault(call(client(), 'listAttributes', { item: `${DIR}/none` }))).name).toBe('NotExistsException');
    expect((await expectFault(call(client(), 'setAttributes', { item: `${DIR}/none`, attributes: list(attr('run', '1', 'int')) }))).name).toBe('NotExistsException');
    await caller.as(OTHER, async () => {
      expect((await expectFault(call(client(), 'getAttributes', { item, attributeNames: list() }))).name).toBe('AuthorizationException');
      expect((await expectFault(call(client(), 'setAttributes', { item, attributes: list(attr('run', '1', 'int')) }))).name).toBe('AuthorizationException');
    });
  });
});

describe('query', () => {
  beforeAll(async () => {
    for (const [n, run] of [['a', 10], ['b', 20], ['c', 30], ['d', 40]] as const) {
      await call(meta, 'setAttributes', { item: `${DIR}/${n}`, attributes: list(attr('run', String(run), 'int')) });
    }
  });
  const query = (client: Client, q: string, limit: number, offset: number, type: string | null = null) => strings(client, 'query', { query: q, ...(type !== null ? { type } : {}), limit, offset });

  it('returns matching LFNs in order, paged by limit and offset', async () => {
    expect(await query(fireman, 'run >= 20', 10, 0)).toEqual([`${DIR}/b`, `${DIR}/c`, `${DIR}/d`]);
    expect(await query(meta, 'run > 0', 2, 0, 'replicat')).toEqual([`${DIR}/a`, `${DIR}/b`]);
    expect(await query(meta, 'run > 0', 2, 2)).toEqual([`${DIR}/c`, `${DIR}/d`]);
    expect(await query(meta, 'run > 0', 2, 4)).toEqual([]);
    expect(await query(meta, 'run = 999', 5, 0)).toEqual([]);
  });

  it('faults InvalidArgument for a query beyond the cost limits, on both ports', async () => {
    const wide = Array.from({ length: 257 }, (_, i) => `run = ${i}`).join(' OR ');
    for (const port of [meta, fireman]) {
      const fault = await expectFault(query(port, wide, 5, 0));
      expect(fault.name).toBe('InvalidArgumentException');
      expect(fault.message).toMatch(/more than 256 comparisons/);
    }
  });

  it('faults InvalidArgument for limit 0, a negative offset, an unknown type and a bad query', async () => {
    for (const [q, limit, offset, type] of [
      ['run > 0', 0, 0, null],
      ['run > 0', -1, 0, null],
      ['run > 0', 5, -1, null],
      ['run > 0', 5, 0, 'sql'],
      ['run > ', 5, 0, null],
      ["run = 'x'", 5, 0, null],
    ] as const) {
      expect((await expectFault(query(meta, q, limit, offset, type))).name).toBe('InvalidArgumentException');
    }
  });

  it('leaves out entries the caller may not reach', async () => {
    const none = { permission: false, remove: false, read: false, write: false, list: false, execute: false, getMetadata: false, setMetadata: false };
    const matches = await query(meta, 'run > 0', 10, 0);
    expect(matches.length).toBeGreaterThan(0);
    // First let others reach and read every match: they see exactly what the owner sees.
    await call(fireman, 'setPermission', {
      permissions: list(
        ...['/grid', '/grid/vo', DIR].map((item) => ({ item, permission: { otherPerm: { ...none, execute: true, list: true } } })),
        ...matches.map((item) => ({ item, permission: { otherPerm: { ...none, read: true, getMetadata: true } } })),
      ),
    });
    expect(await caller.as(OTHER, () => query(meta, 'run > 0', 10, 0))).toEqual(matches);
    // Without getMetadata on an entry its values cannot be probed by a query, on either port.
    await call(fireman, 'setPermission', { permissions: list({ item: matches[0], permission: { otherPerm: { ...none, read: true } } }) });
    for (const port of [meta, fireman]) {
      expect(await caller.as(OTHER, () => query(port, 'run > 0', 10, 0))).toEqual(matches.slice(1));
      expect(await caller.as(OTHER, () => query(port, 'run = 10', 10, 0))).toEqual([]);
    }
    expect((await expectFault(caller.as(OTHER, () => call(meta, 'getAttributes', { item: matches[0], attributeNames: list() })))).name).toBe('AuthorizationException');
    // Then close the directory: the same entries disappear from their answers.
    await call(fireman, 'setPermission', { permissions: list({ item: DIR, permission: { otherPerm: none } }) });
    expect(await caller.as(OTHER, () => query(meta, 'run > 0', 10, 0))).toEqual([]);
  });
});

describe('metadata entries: createEntry, removeEntry (MetadataCatalog) and associateDirWithSchema (FiremanCatalog)', () => {
  const BOUND = '/grid/vo/mb';
  beforeAll(async () => {
    await call(fireman, 'mkdir', { directories: list(BOUND, `${BOUND}/sub`), createParents: true });
    await call(fireman, 'create', { entries: list(...['e1', 'e2'].map((n) => ({ lfn: `${BOUND}/${n}`, guid: null }))) });
    await call(meta, 'createSchema', { schemaName: 'calib', attributes: list(attr('calib.version', null, 'int')) });
  });

  it('createEntry binds items to schemas; their attributes then come from those schemas only', async () => {
    await call(meta, 'createEntry', { entries: list({ string1: `${BOUND}/e1`, string2: 'calib' }) });
    const refused = await expectFault(call(meta, 'setAttributes', { item: `${BOUND}/e1`, attributes: list(attr('run', '5', 'int')) }));
    expect(refused.name).toBe('InvalidArgumentException');
    expect(refused.message).toMatch(/takes only attributes of "calib"/);
    await call(meta, 'setAttributes', { item: `${BOUND}/e1`, attributes: list(attr('calib.version', '3', 'int')) });
    expect(await attrs(meta, 'getAttributes', { item: `${BOUND}/e1`, attributeNames: list() })).toEqual([expect.objectContaining({ name: 'calib.version', value: '3' })]);
  });

  it('createEntry faults as Fireman did: Exists when already an entry, NotExists for unknown names; all or nothing', async () => {
    expect((await expectFault(call(meta, 'createEntry', { entries: list({ string1: `${BOUND}/e1`, string2: 'calib' }) }))).name).toBe('ExistsException');
    expect((await expectFault(call(meta, 'createEntry', { entries: list({ string1: `${BOUND}/e2`, string2: 'none' }) }))).name).toBe('NotExistsException');
    expect((await expectFault(call(meta, 'createEntry', { entries: list({ string1: `${BOUND}/zz`, string2: 'calib' }) }))).name).toBe('NotExistsException');
    const fault = await expectFault(
      call(meta, 'createEntry', { entries: list({ string1: `${BOUND}/e2`, string2: 'calib' }, { string1: `${BOUND}/e1`, string2: 'calib' }) }),
    );
    expect(fault.message).toMatch(/item 2 of 2/);
    // e2 was rolled back with the failing call: it is still unrestricted.
    await call(meta, 'setAttributes', { item: `${BOUND}/e2`, attributes: list(attr('run', '9', 'int')) });
  });

  it('removeEntry drops values and bindings and keeps the entry; NotExists when it has no metadata', async () => {
    await call(meta, 'removeEntry', { items: list(`${BOUND}/e1`) });
    expect(await attrs(meta, 'getAttributes', { item: `${BOUND}/e1`, attributeNames: list() })).toEqual([]);
    await call(meta, 'setAttributes', { item: `${BOUND}/e1`, attributes: list(attr('run', '1', 'int')) });
    await call(meta, 'removeEntry', { items: list(`${BOUND}/e1`) });
    expect((await expectFault(call(meta, 'removeEntry', { items: list(`${BOUND}/e1`) }))).name).toBe('NotExistsException');
    expect(await call(fireman, 'getFileCatalogEntry', { lfns: list(`${BOUND}/e1`) })).toBeDefined();
  });

  it('associateDirWithSchema governs the entries in a directory; a file is refused', async () => {
    await call(fireman, 'associateDirWithSchema', { directoryLfn: `${BOUND}/sub`, schemaName: 'calib' });
    await call(fireman, 'create', { entries: list({ lfn: `${BOUND}/sub/c1`, guid: null }) });
    expect((await expectFault(call(fireman, 'setAttributes', { item: `${BOUND}/sub/c1`, attributes: list(attr('run', '1', 'int')) }))).name).toBe(
      'InvalidArgumentException',
    );
    await call(fireman, 'setAttributes', { item: `${BOUND}/sub/c1`, attributes: list(attr('calib.version', '1', 'int')) });
    expect((await expectFault(call(fireman, 'associateDirWithSchema', { directoryLfn: `${BOUND}/sub`, schemaName: 'calib' }))).name).toBe('ExistsException');
    expect((await expectFault(call(fireman, 'associateDirWithSchema', { directoryLfn: `${BOUND}/e2`, schemaName: 'calib' }))).name).toBe(
      'InvalidArgumentException',
    );
    expect((await expectFault(call(fireman, 'associateDirWithSchema', { directoryLfn: `${BOUND}/sub`, schemaName: 'none' }))).name).toBe('NotExistsException');
  });

  it('refuses callers without setMetadata', async () => {
    const none = { permission: false, remove: false, read: false, write: false, list: false, execute: true, getMetadata: false, setMetadata: false };
    await call(fireman, 'setPermission', { permissions: list({ item: `${BOUND}/e2`, permission: { otherPerm: none } }) });
    const fault = await caller.as(OTHER, () => expectFault(call(meta, 'createEntry', { entries: list({ string1: `${BOUND}/e2`, string2: 'calib' }) })));
    expect(fault.name).toBe('AuthorizationException');
  });
});

describe('the MetadataCatalog WSDL', () => {
  it('is served at /soap/MetadataCatalog with its namespace and service', async () => {
    const wsdl = await (await fetch(`${svc.baseUrl}/soap/MetadataCatalog?wsdl`)).text();
    expect(wsdl).toContain('targetNamespace="http://glite.org/wsdl/services/org.glite.data.catalog.service.meta"');
    expect(wsdl).toContain('<wsdl:service name="MetadataCatalogService">');
    expect(await call(meta, 'getInterfaceVersion')).toBe('2.0.0');
  });
});
