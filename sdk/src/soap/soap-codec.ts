import { Exists, HttpError, Internal, InvalidArgument, NotExists, PermissionDenied, type ReplicatError, type ReplicatErrorDetails } from '../errors';
import { SOAP_TYPES } from '../generated/soap';
import type { SoapFieldDescription, SoapOperationDescription, SoapTypeDescription } from './soap-description';
import { child, isNil, xsiTypeName, type XmlNode } from './xml-tree';

/**
 * Writing calls and reading answers of Fireman's rpc/literal SOAP (../shared/reference/fireman-interface.md):
 * parts and fields unqualified, in WSDL order, arrays as `<item>` children, bean arrays as repeated
 * elements, nil as `xsi:nil="true"`, the result in `<opNameReturn>`.
 */

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };
// Characters XML 1.0 cannot carry at all; a name holding one cannot be sent, so it is refused.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/u;

function escapeText(value: string): string {
  if (NOT_XML.test(value)) throw new TypeError(`${JSON.stringify(value.slice(0, 40))} holds a character XML cannot carry`);
  return value.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!);
}

/** `impl:ArrayOf_soapenc_string` → `soapenc:string`, `impl:ArrayOf_tns1_FCEntry` → `tns1:FCEntry`; else null. */
function arrayItemType(type: string): string | null {
  if (type === 'impl:ArrayOf_soapenc_string') return 'soapenc:string';
  const match = /^impl:ArrayOf_tns1_(\w+)$/.exec(type);
  return match ? `tns1:${match[1]}` : null;
}

/** A type's fields in wire order: its base type's first. */
function fieldsOf(typeName: string): readonly SoapFieldDescription[] {
  const type: SoapTypeDescription | undefined = SOAP_TYPES[typeName];
  if (type === undefined) throw new TypeError(`unknown SOAP type ${typeName}`);
  return type.base !== undefined ? [...fieldsOf(type.base), ...type.fields] : type.fields;
}

const nil = (name: string) => `<${name} xsi:nil="true"/>`;

function encodeValue(name: string, type: string, value: unknown): string {
  const itemType = arrayItemType(type);
  if (itemType !== null) {
    if (value === null || value === undefined) return nil(name);
    if (!Array.isArray(value)) throw new TypeError(`${name} must be an array`);
    return `<${name}>${value.map((item: unknown) => encodeValue('item', itemType, item)).join('')}</${name}>`;
  }
  switch (type) {
    case 'soapenc:string':
      if (value === null || value === undefined) return nil(name);
      if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
      return `<${name}>${escapeText(value)}</${name}>`;
    case 'xsd:long':
    case 'xsd:int':
      // Numbers and booleans cannot be nil; one the caller left out is left out, which replicat reads as
      // "not given" (a 0 would say something: lfnStat.type 0 is a directory).
      if (value === null || value === undefined) return '';
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TypeError(`${name} must be an integer`);
      return `<${name}>${value}</${name}>`;
    case 'xsd:boolean':
      if (value === null || value === undefined) return '';
      if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean`);
      return `<${name}>${value}</${name}>`;
  }
  if (!type.startsWith('tns1:')) throw new TypeError(`cannot encode the wire type ${type}`);
  if (value === null || value === undefined) return nil(name);
  if (typeof value !== 'object') throw new TypeError(`${name} must be an object`);
  const struct = value as Readonly<Record<string, unknown>>;
  let out = '';
  for (const field of fieldsOf(type.slice('tns1:'.length))) {
    const fieldValue = struct[field.name];
    if (field.repeated) {
      if (fieldValue === undefined || fieldValue === null) continue;
      if (!Array.isArray(fieldValue)) throw new TypeError(`${name}.${field.name} must be an array`);
      for (const item of fieldValue as unknown[]) out += encodeValue(field.name, field.type, item);
    } else out += encodeValue(field.name, field.type, fieldValue);
  }
  return `<${name}>${out}</${name}>`;
}

/** The envelope of an rpc/literal call (SOAP 1.1, as Fireman's Axis services speak it). */
export function encodeCall(namespace: string, operation: string, description: SoapOperationDescription, args: Readonly<Record<string, unknown>>): string {
  const parts = description.parts.map((part) => encodeValue(part.name, part.type, args[part.name])).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns:xsi="${XSI}"><soapenv:Body>` +
    `<ns1:${operation} xmlns:ns1="${escapeText(namespace)}">${parts}</ns1:${operation}>` +
    '</soapenv:Body></soapenv:Envelope>'
  );
}

/** The answer is not what the port's description says it is. */
function unexpected(what: string): HttpError {
  return new HttpError(`unexpected SOAP answer: ${what}`);
}

function decodeInteger(node: XmlNode): number {
  const text = node.text.trim();
  const value = Number(text);
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(value)) throw unexpected(`${node.local} is not an integer: ${JSON.stringify(text.slice(0, 40))}`);
  return value;
}

function decodeBoolean(node: XmlNode): boolean {
  switch (node.text.trim()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      throw unexpected(`${node.local} is not a boolean`);
  }
}

function decodeValue(node: XmlNode | undefined, type: string): unknown {
  const itemType = arrayItemType(type);
  if (itemType !== null) {
    if (node === undefined || isNil(node)) return [];
    return node.children.map((item) => {
      if (itemType === 'soapenc:string' && isNil(item)) throw unexpected(`a nil item in ${node.local}`);
      return decodeValue(item, itemType);
    });
  }
  switch (type) {
    case 'soapenc:string':
      return node === undefined || isNil(node) ? null : node.text;
    case 'xsd:long':
    case 'xsd:int':
      return node === undefined || isNil(node) ? 0 : decodeInteger(node);
    case 'xsd:boolean':
      return node === undefined || isNil(node) ? false : decodeBoolean(node);
  }
  if (!type.startsWith('tns1:')) throw unexpected(`the wire type ${type}`);
  if (node === undefined || isNil(node)) return null;
  const out: Record<string, unknown> = {};
  for (const field of fieldsOf(type.slice('tns1:'.length))) {
    out[field.name] = field.repeated
      ? node.children.filter((c) => c.local === field.name && !isNil(c)).map((c) => decodeValue(c, field.type))
      : decodeValue(child(node, field.name), field.type);
  }
  return out;
}

const FAULTS: Readonly<Record<string, new (message: string, details?: ReplicatErrorDetails) => ReplicatError>> = {
  NotExistsException: NotExists,
  ExistsException: Exists,
  AuthorizationException: PermissionDenied,
  InvalidArgumentException: InvalidArgument,
  InternalException: Internal,
  CatalogException: Internal,
};

export type SoapAnswer = { readonly value: unknown } | { readonly fault: ReplicatError };

/**
 * The value of `<opNameReturn>` (undefined for a void operation), or the fault as the SDK's error:
 * Fireman's exception named by the detail's `xsi:type`, its `message`.
 */
export function decodeAnswer(root: XmlNode, operation: string, description: SoapOperationDescription, details: ReplicatErrorDetails): SoapAnswer {
  if (root.local !== 'Envelope') throw unexpected('not a SOAP envelope');
  const body = child(root, 'Body');
  const first = body?.children[0];
  if (first === undefined) throw unexpected('an empty SOAP body');
  if (first.local === 'Fault') {
    const detail = child(first, 'detail') ?? child(first, 'Detail');
    const fault = detail === undefined ? undefined : child(detail, 'fault');
    const faultName = fault === undefined ? undefined : xsiTypeName(fault);
    const message =
      (fault !== undefined ? child(fault, 'message')?.text : undefined) ??
      child(first, 'faultstring')?.text ??
      child(child(first, 'Reason') ?? first, 'Text')?.text ??
      'SOAP fault';
    const ErrorClass = (faultName !== undefined ? FAULTS[faultName] : undefined) ?? Internal;
    return { fault: new ErrorClass(message, details) };
  }
  if (description.returns === null) return { value: undefined };
  const returned = child(first, `${operation}Return`) ?? first.children[0];
  return { value: decodeValue(returned, description.returns) };
}
