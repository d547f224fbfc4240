/**
 * The XML Schema types of the Fireman interfaces, as Axis Java2WSDL wrote them: strings are
 * `soapenc:string` (nillable), arrays of a part are `ArrayOf_*` restrictions of `soapenc:Array` in the
 * port's namespace, and array-valued bean fields are repeated elements. One table feeds the WSDL
 * documents; the writers in `encode-types.ts` follow the same field order.
 */

export interface FieldDefinition {
  readonly name: string;
  /** A qualified type: `soapenc:string`, `xsd:long`, `tns1:Perm`, … */
  readonly type: string;
  readonly nillable?: boolean;
  /** A bean array field: the element repeats (0..n). */
  readonly repeated?: boolean;
}

export interface ComplexTypeDefinition {
  readonly name: string;
  /** The supertype (`tns1:…`); its fields come first on the wire. */
  readonly base?: string;
  readonly fields: readonly FieldDefinition[];
}

const str = (name: string): FieldDefinition => ({ name, type: 'soapenc:string', nillable: true });
const long = (name: string): FieldDefinition => ({ name, type: 'xsd:long' });
const bool = (name: string): FieldDefinition => ({ name, type: 'xsd:boolean' });
const of = (name: string, type: string): FieldDefinition => ({ name, type: `tns1:${type}`, nillable: true });
const exception = (name: string): ComplexTypeDefinition => ({ name, base: 'tns1:CatalogException', fields: [] });

/** Types of `http://glite.org/wsdl/services/org.glite.data.catalog` (prefix tns1). */
export const CATALOG_TYPES: readonly ComplexTypeDefinition[] = [
  // Verbatim from the MetadataCatalog WSDL (fireman-interface.md §3).
  { name: 'StringPair', fields: [str('string1'), str('string2')] },
  { name: 'CatalogException', fields: [str('message')] },
  exception('InvalidArgumentException'),
  exception('InternalException'),
  exception('ExistsException'),
  exception('NotExistsException'),
  exception('AuthorizationException'),
  { name: 'Attribute', fields: [str('name'), str('value'), str('type')] },
  {
    name: 'Perm',
    fields: ['permission', 'remove', 'read', 'write', 'list', 'execute', 'getMetadata', 'setMetadata'].map(bool),
  },
  { name: 'BasicPermission', fields: [str('userName'), str('groupName'), of('userPerm', 'Perm'), of('groupPerm', 'Perm'), of('otherPerm', 'Perm')] },
  { name: 'ACLEntry', fields: [of('principalPerm', 'Perm'), str('principal')] },
  { name: 'Permission', base: 'tns1:BasicPermission', fields: [{ ...of('acl', 'ACLEntry'), repeated: true }] },
  { name: 'PermissionEntry', fields: [str('item'), of('permission', 'Permission')] },
  // Fireman's own types: field lists from the C API (fireman-interface.md §4), decided in wsdl/README.md.
  { name: 'Stat', fields: [long('modifyTime'), long('creationTime'), long('size')] },
  { name: 'LFNStat', base: 'tns1:Stat', fields: [{ name: 'type', type: 'xsd:int' }, str('data'), long('validityTime')] },
  { name: 'GUIDStat', base: 'tns1:Stat', fields: [str('checksum'), { name: 'status', type: 'xsd:int' }] },
  { name: 'SURLEntry', fields: [bool('masterReplica'), long('creationTime'), long('modifyTime'), str('surl')] },
  { name: 'FCEntry', fields: [str('lfn'), str('guid'), of('permission', 'Permission'), of('lfnStat', 'LFNStat')] },
  {
    name: 'RCEntry',
    fields: [str('guid'), of('permission', 'Permission'), of('guidStat', 'GUIDStat'), { ...of('surlStats', 'SURLEntry'), repeated: true }],
  },
  {
    name: 'FRCEntry',
    fields: [
      str('lfn'),
      str('guid'),
      of('permission', 'Permission'),
      of('lfnStat', 'LFNStat'),
      of('guidStat', 'GUIDStat'),
      { ...of('surlStats', 'SURLEntry'), repeated: true },
    ],
  },
];

/** Part and return types an operation may use. Arrays are named as Axis names them. */
export type WireType =
  | 'soapenc:string'
  | 'xsd:long'
  | 'xsd:int'
  | 'xsd:boolean'
  | 'impl:ArrayOf_soapenc_string'
  | `impl:ArrayOf_tns1_${string}`;

/** `impl:ArrayOf_tns1_FCEntry` → `tns1:FCEntry`; `impl:ArrayOf_soapenc_string` → `soapenc:string`. */
export function arrayItemType(type: WireType): string | null {
  if (type === 'impl:ArrayOf_soapenc_string') return 'soapenc:string';
  const match = /^impl:ArrayOf_tns1_(\w+)$/.exec(type);
  return match ? `tns1:${match[1]}` : null;
}
