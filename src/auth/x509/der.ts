import forge from 'node-forge';

type Asn1 = forge.asn1.Asn1;

// @types/node-forge only knows the boolean form of fromDer's second argument; the options form is what
// lets us keep BIT STRINGs as bytes (a signature must never be "decoded" as if it were ASN.1).
const fromDer = forge.asn1.fromDer as unknown as (
  bytes: string,
  options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean },
) => Asn1;

export class MalformedDer extends Error {}

/** Parses strict DER, every byte consumed, BIT STRINGs left as bytes. */
export function readDer(der: Uint8Array | string): Asn1 {
  const binary = typeof der === 'string' ? der : Buffer.from(der).toString('binary');
  try {
    return fromDer(binary, { strict: true, parseAllBytes: true, decodeBitStrings: false });
  } catch (error) {
    throw new MalformedDer(`malformed DER: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The DER encoding of a node, as forge's binary string. */
export function toDerBytes(node: Asn1): string {
  return forge.asn1.toDer(node).getBytes();
}

export function children(node: Asn1 | undefined, what: string): Asn1[] {
  if (node === undefined || !Array.isArray(node.value)) throw new MalformedDer(`${what}: expected a constructed value`);
  return node.value;
}

export function bytesOf(node: Asn1 | undefined, what: string): string {
  if (node === undefined || typeof node.value !== 'string') throw new MalformedDer(`${what}: expected a primitive value`);
  return node.value;
}

export function isUniversal(node: Asn1 | undefined, type: number): node is Asn1 {
  return node !== undefined && node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === type;
}

export function isContext(node: Asn1 | undefined, tag: number): node is Asn1 {
  return node !== undefined && node.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && node.type === tag;
}

export function expectUniversal(node: Asn1 | undefined, type: number, what: string): Asn1 {
  if (!isUniversal(node, type)) throw new MalformedDer(`${what}: unexpected ASN.1 type`);
  return node;
}

export function oidOf(node: Asn1 | undefined, what: string): string {
  return forge.asn1.derToOid(bytesOf(expectUniversal(node, forge.asn1.Type.OID, what), what));
}

/** An INTEGER as lowercase hex without leading zeros: the form serial numbers are compared in. */
export function integerHex(node: Asn1 | undefined, what: string): string {
  return normalizeSerial(forge.util.bytesToHex(bytesOf(expectUniversal(node, forge.asn1.Type.INTEGER, what), what)));
}

export function normalizeSerial(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}

export function smallInteger(node: Asn1 | undefined, what: string): number {
  const value = Number.parseInt(integerHex(node, what), 16);
  if (!Number.isSafeInteger(value)) throw new MalformedDer(`${what}: integer out of range`);
  return value;
}

export function timeOf(node: Asn1 | undefined, what: string): Date {
  if (isUniversal(node, forge.asn1.Type.UTCTIME)) return forge.asn1.utcTimeToDate(bytesOf(node, what));
  if (isUniversal(node, forge.asn1.Type.GENERALIZEDTIME)) return forge.asn1.generalizedTimeToDate(bytesOf(node, what));
  throw new MalformedDer(`${what}: expected a time`);
}

/** The bytes of a BIT STRING whose length is a whole number of bytes (signatures, keys). */
export function bitStringBytes(node: Asn1 | undefined, what: string): string {
  const raw = bytesOf(expectUniversal(node, forge.asn1.Type.BITSTRING, what), what);
  if (raw.length === 0 || raw.charCodeAt(0) !== 0) throw new MalformedDer(`${what}: not a whole number of bytes`);
  return raw.slice(1);
}
