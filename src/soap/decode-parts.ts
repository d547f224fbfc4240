import { InvalidArgument } from '../core/errors';
import { isNil, type XmlElement } from './xml-reader';

/**
 * Reads the parts of an rpc/literal call. A part is found by its element name, else by its position
 * in the WSDL's parameter order: Axis and gSOAP stubs generated from other versions of the interface
 * name parameters `in0`, `arg0`, …, and the original Fireman part names are partly unknown.
 * Namespaces of parts and fields are ignored (Axis sends them unqualified, some clients qualify them).
 */
export class Parts {
  readonly #operation: XmlElement;
  readonly #order: readonly string[];

  constructor(operation: XmlElement, order: readonly string[]) {
    this.#operation = operation;
    this.#order = order;
  }

  /** The part element, or undefined when the client left it out. */
  element(name: string): XmlElement | undefined {
    const children = this.#operation.children;
    const byName = children.find((child) => child.local === name);
    if (byName) return byName;
    const position = this.#order.indexOf(name);
    const candidate = position >= 0 ? children[position] : undefined;
    // By position only when that element is not itself another declared part.
    return candidate !== undefined && !this.#order.includes(candidate.local) ? candidate : undefined;
  }

  /** The first element child, whatever its name (StorageIndex' single argument). */
  first(): XmlElement | undefined {
    return this.#operation.children[0];
  }

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === null) throw new InvalidArgument(`missing argument: ${name}`);
    return value;
  }

  optionalString(name: string): string | null {
    const part = this.element(name);
    return part === undefined || isNil(part) ? null : part.text;
  }

  boolean(name: string, fallback: boolean): boolean {
    const part = this.element(name);
    return part === undefined || isNil(part) ? fallback : parseBoolean(part.text, name);
  }

  /** An xsd:long or xsd:int; null when absent. */
  integer(name: string): number | null {
    const part = this.element(name);
    return part === undefined || isNil(part) ? null : parseInteger(part.text, name);
  }

  /** `ArrayOf_soapenc_string`: the text of each `<item>`. */
  strings(name: string): string[] {
    return this.items(name).map((item, index) => {
      if (isNil(item)) throw new InvalidArgument(`${name}[${index}] must not be nil`);
      return item.text;
    });
  }

  /**
   * The elements of an array part: the part's element children (`<item>` for Axis, any name accepted).
   * A client that sends the array as repeated part elements with text (`<lfns>/a</lfns><lfns>/b</lfns>`)
   * is understood too. An absent or nil array is empty.
   */
  items(name: string): XmlElement[] {
    const part = this.element(name);
    if (part === undefined || isNil(part)) return [];
    if (part.children.length > 0) return part.children;
    const repeated = this.#operation.children.filter((child) => child.local === part.local);
    return repeated.length === 1 && part.text.trim() === '' ? [] : repeated;
  }
}

/** A field of a struct (`<item><lfn>…</lfn>…</item>`), by local name. */
export function field(struct: XmlElement, name: string): XmlElement | undefined {
  return struct.children.find((child) => child.local === name);
}

export function fieldString(struct: XmlElement, name: string): string | null {
  const found = field(struct, name);
  return found === undefined || isNil(found) ? null : found.text;
}

export function fieldInteger(struct: XmlElement, name: string): number | null {
  const found = field(struct, name);
  return found === undefined || isNil(found) || found.text.trim() === '' ? null : parseInteger(found.text, name);
}

export function fieldBoolean(struct: XmlElement, name: string): boolean | null {
  const found = field(struct, name);
  return found === undefined || isNil(found) || found.text.trim() === '' ? null : parseBoolean(found.text, name);
}

/**
 * Repeated struct fields: Axis writes bean arrays (`Permission.acl`, `surlStats`) as repeated elements;
 * an Array-typed field (`<surlStats><item>…</item></surlStats>`) is accepted too.
 */
export function fieldStructs(struct: XmlElement, name: string): XmlElement[] {
  const found = struct.children.filter((child) => child.local === name && !isNil(child));
  if (found.length === 1 && found[0]!.children.every((child) => child.local === 'item') && found[0]!.children.length > 0) {
    return found[0]!.children;
  }
  return found;
}

/** xsd:boolean's lexical forms; undefined for anything else. */
export function wireBoolean(text: string): boolean | undefined {
  switch (text.trim()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      return undefined;
  }
}

function parseBoolean(text: string, name: string): boolean {
  const value = wireBoolean(text);
  if (value === undefined) throw new InvalidArgument(`${name} must be a boolean (true or false)`);
  return value;
}

function parseInteger(text: string, name: string): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!/^[+-]?\d+$/.test(trimmed) || !Number.isSafeInteger(value)) throw new InvalidArgument(`${name} must be an integer`);
  return value;
}
