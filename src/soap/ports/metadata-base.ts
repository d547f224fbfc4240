import { isDate } from 'node:util/types';
import * as core from '../../core';
import type { CatalogContext } from '../../core/context';
import { Conflict, InvalidArgument } from '../../core/errors';
import { attributesByName } from '../../core/metadata/attribute-definitions';
import { isAttributeType } from '../../core/metadata/attribute-value';
import { changeAll, readAll } from '../all-or-nothing';
import { fieldString, wireBoolean, type Parts } from '../decode-parts';
import { decodeFullPair, decodeItems } from '../decode-types';
import type { Returned } from '../envelope';
import type { OperationDefinition, PartDefinition } from '../operation';
import type { WireType } from '../wire-types';
import { escapeXml, itemArray, textElement } from '../xml-writer';
import type { XmlElement } from '../xml-reader';

const STRINGS: WireType = 'impl:ArrayOf_soapenc_string';
const ATTRIBUTES: WireType = 'impl:ArrayOf_tns1_Attribute';
const part = (name: string, type: WireType): PartDefinition => ({ name, type });
const op = (name: string, parts: readonly PartDefinition[], returns: WireType | null, run: OperationDefinition['run']): OperationDefinition => ({
  name,
  parts,
  returns,
  faults: true,
  run,
});

/** Attribute { name, value, type } as sent; value and type may be nil. */
interface WireAttribute {
  readonly name: string;
  readonly value: string | null;
  readonly type: string | null;
}

function decodeAttribute(item: XmlElement): WireAttribute {
  const name = fieldString(item, 'name');
  if (name === null) throw new InvalidArgument('name is required');
  return { name, value: fieldString(item, 'value'), type: fieldString(item, 'type') };
}

/** `Attribute { name, value, type }`; value nil when not given (listAttributes, describeSchema). */
export function attributeStruct(name: string, value: string | null, type: string | null): string {
  return textElement('name', name) + textElement('value', value) + textElement('type', type);
}

/** A typed value as text: ints and floats as JavaScript writes them, bools `true`/`false`, timestamps RFC 3339 UTC. */
export function valueText(value: core.AttributeValue): string {
  return isDate(value) ? value.toISOString() : String(value);
}

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Text from the wire to the value core checks against the attribute's definition: `int` and `float` become
 * numbers, `bool` a boolean (`true`/`false`/`1`/`0`), `timestamp` and `string` stay text. Text that is not of
 * the type it claims is InvalidArgument; a type that is not the attribute's is refused by core.
 */
function toCoreValue(a: WireAttribute, type: core.AttributeType): unknown {
  const text = a.value;
  if (text === null) throw new InvalidArgument(`attribute ${JSON.stringify(a.name)}: value must not be nil (clear it with clearAttributes)`);
  const refuse = () => new InvalidArgument(`attribute ${JSON.stringify(a.name)}: ${JSON.stringify(text.slice(0, 60))} is not a ${type}`);
  switch (type) {
    case 'string':
    case 'timestamp':
      return text;
    case 'int':
      if (!INTEGER.test(text.trim())) throw refuse();
      return Number(text.trim());
    case 'float':
      if (!FLOAT.test(text.trim())) throw refuse();
      return Number(text.trim());
    case 'bool': {
      const value = wireBoolean(text);
      if (value === undefined) throw refuse();
      return value;
    }
  }
}

/**
 * The attributes of setAttributes as core's name → value. A nil or empty `type` means the attribute's
 * defined type (a string for a name no schema defines, which core then treats as free-form or refuses).
 */
async function decodeValues(ctx: CatalogContext, attributes: readonly WireAttribute[]): Promise<Record<string, unknown>> {
  const untyped = attributes.filter((a) => a.type === null || a.type === '').map((a) => a.name);
  const known = untyped.length > 0 ? await attributesByName(ctx.db, untyped) : new Map();
  const out: Record<string, unknown> = {};
  attributes.forEach((a, index) => {
    try {
      const declared = a.type === null || a.type === '' ? (known.get(a.name)?.type ?? 'string') : a.type;
      if (!isAttributeType(declared)) throw new InvalidArgument(`type must be one of string, int, float, bool, timestamp, not ${JSON.stringify(declared.slice(0, 40))}`);
      if (Object.hasOwn(out, a.name)) throw new InvalidArgument(`attribute ${JSON.stringify(a.name)} is given twice`);
      out[a.name] = toCoreValue(a, declared);
    } catch (error) {
      if (error instanceof InvalidArgument) throw new InvalidArgument(`attributes[${index}]: ${error.message}`);
      throw error;
    }
  });
  return out;
}

/** Names of an array part; nil or empty means every attribute (getAttributes). */
const names = (parts: Parts, name: string) => parts.strings(name);

const attributeArray = (values: readonly { name: string; value: string | null; type: string | null }[]): Returned => ({
  content: itemArray(values, (a) => attributeStruct(a.name, a.value, a.type)),
});

/** A query limit: absent is the default page size; 0, negative or above `limit.readDir` is refused. */
function queryLimit(ctx: CatalogContext, parts: Parts): number {
  const limit = parts.integer('limit');
  if (limit === null) return ctx.limits.defaultPageSize;
  if (limit <= 0 || limit > ctx.limits.maxPageSize) throw new InvalidArgument(`limit must be between 1 and ${ctx.limits.maxPageSize}`);
  return limit;
}

/** The query languages `query` accepts: replicat's (docs/query.md), named so or left nil/empty. */
const QUERY_TYPES = ['', 'replicat'];

/** MetadataBase (fireman-interface.md §5.3) over core's attributes and queries; items are LFNs (symlinks followed). */
export const metadataBaseOperations: OperationDefinition[] = [
  op('setAttributes', [part('item', 'soapenc:string'), part('attributes', ATTRIBUTES)], null, async ({ ctx, parts }) => {
    const lfn = parts.string('item');
    const attributes = await decodeValues(ctx, decodeItems(parts, 'attributes', decodeAttribute));
    await readAll(ctx, core.setAttributes, [{ lfn, attributes }], (i) => i.lfn);
    return undefined;
  }),
  op('clearAttributes', [part('item', 'soapenc:string'), part('attributeNames', STRINGS)], null, async ({ ctx, parts }) => {
    const lfn = parts.string('item');
    await readAll(ctx, core.clearAttributes, [{ lfn, names: names(parts, 'attributeNames') }], (i) => i.lfn);
    return undefined;
  }),
  op('getAttributes', [part('item', 'soapenc:string'), part('attributeNames', STRINGS)], ATTRIBUTES, async ({ ctx, parts }) => {
    const lfn = parts.string('item');
    const wanted = names(parts, 'attributeNames');
    const [found] = await readAll(ctx, core.getAttributes, [{ lfn, ...(wanted.length > 0 ? { names: wanted } : {}) }], (i) => i.lfn);
    return attributeArray(found!.map((a) => ({ name: a.name, value: valueText(a.value), type: a.type })));
  }),
  op('listAttributes', [part('item', 'soapenc:string')], ATTRIBUTES, async ({ ctx, parts }) => {
    const lfn = parts.string('item');
    const [found] = await readAll(ctx, core.listAttributes, [{ lfn }], (i) => i.lfn);
    return attributeArray(found!.map((a) => ({ name: a.name, value: null, type: a.type })));
  }),
  op(
    'query',
    [part('query', 'soapenc:string'), part('type', 'soapenc:string'), part('limit', 'xsd:int'), part('offset', 'xsd:int')],
    STRINGS,
    async ({ ctx, parts }) => {
      const text = parts.string('query');
      const type = (parts.optionalString('type') ?? '').trim().toLowerCase();
      if (!QUERY_TYPES.includes(type)) throw new InvalidArgument(`type must be "replicat" (or nil): the query language of docs/query.md`);
      const limit = queryLimit(ctx, parts);
      const offset = parts.integer('offset') ?? 0;
      if (offset < 0) throw new InvalidArgument('offset must not be negative');
      // Offset paging over keyset pages: offset + limit matches are read and the first `offset` dropped,
      // so a page costs O(offset + limit) (wsdl/README.md).
      const lfns: string[] = [];
      let seen = 0;
      for await (const entry of core.streamEntries(ctx, { query: text }, Math.min(offset + limit, 5000))) {
        if (seen++ >= offset) lfns.push(entry.lfn);
        if (lfns.length >= limit) break;
      }
      return { content: itemArray(lfns, (lfn) => escapeXml(lfn)) };
    },
  ),
];

const definitions = (attributes: readonly WireAttribute[]) => attributes.map((a) => ({ name: a.name, type: a.type ?? '' }));

/** Core refuses to remove attributes still set on entries with Conflict; to a caller that is a bad argument. */
async function inUseIsInvalid<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Conflict) throw new InvalidArgument(error.message.replace(/; (remove them|drop it) with force$/, ''));
    throw error;
  }
}

/** MetadataSchema (fireman-interface.md §5.4) over core's schemas; an Attribute's `value` is ignored. */
/**
 * MetadataCatalog's entries over the namespace (wsdl/README.md): createEntry binds each item (an LFN) to
 * its schema, removeEntry drops an entry's metadata — values and bindings — leaving the entry itself.
 */
export const metadataEntryOperations: OperationDefinition[] = [
  op('createEntry', [part('entries', 'impl:ArrayOf_tns1_StringPair')], null, async ({ ctx, parts }) => {
    const items = decodeItems(parts, 'entries', decodeFullPair).map((p) => ({ lfn: p.string1, schema: p.string2 }));
    await changeAll(ctx, core.bindSchemas, items, (i) => i.lfn);
    return undefined;
  }),
  op('removeEntry', [part('items', STRINGS)], null, async ({ ctx, parts }) => {
    await changeAll(ctx, core.removeMetadataEntries, parts.strings('items').map((lfn) => ({ lfn })), (i) => i.lfn);
    return undefined;
  }),
];

export const metadataSchemaOperations: OperationDefinition[] = [
  op('createSchema', [part('schemaName', 'soapenc:string'), part('attributes', ATTRIBUTES)], null, async ({ ctx, parts }) => {
    await core.createSchema(ctx, { name: parts.string('schemaName'), attributes: definitions(decodeItems(parts, 'attributes', decodeAttribute)) });
    return undefined;
  }),
  op('addSchemaAttributes', [part('schemaName', 'soapenc:string'), part('attributes', ATTRIBUTES)], null, async ({ ctx, parts }) => {
    await core.addSchemaAttributes(ctx, parts.string('schemaName'), definitions(decodeItems(parts, 'attributes', decodeAttribute)));
    return undefined;
  }),
  op('removeSchemaAttributes', [part('schemaName', 'soapenc:string'), part('attributeNames', STRINGS)], null, async ({ ctx, parts }) => {
    const name = parts.string('schemaName');
    const attributeNames = parts.strings('attributeNames');
    await inUseIsInvalid(() => core.removeSchemaAttributes(ctx, name, attributeNames));
    return undefined;
  }),
  op('dropSchema', [part('schemaName', 'soapenc:string')], null, async ({ ctx, parts }) => {
    const name = parts.string('schemaName');
    await inUseIsInvalid(() => core.dropSchema(ctx, name));
    return undefined;
  }),
  op('listSchemas', [], STRINGS, async ({ ctx }) => {
    const schemas = await core.listSchemas(ctx);
    return { content: itemArray(schemas, (s) => escapeXml(s.name)) };
  }),
  op('describeSchema', [part('schemaName', 'soapenc:string')], ATTRIBUTES, async ({ ctx, parts }) => {
    const schema = await core.describeSchema(ctx, parts.string('schemaName'));
    return attributeArray(schema.attributes.map((a) => ({ name: a.name, value: null, type: a.type })));
  }),
];
