import { InvalidArgument } from './errors';

export type ChecksumType = 'adler32' | 'md5';

export interface Checksum {
  readonly type: ChecksumType;
  /** Canonical form: lowercase hex, adler32 zero-padded to 8 digits, md5 32 digits. */
  readonly value: string;
}

/**
 * Canonicalizes a checksum so that equal checksums compare equal as strings: tools print adler32
 * without leading zeros (`9600001`) as often as with them (`09600001`).
 */
export function parseChecksum(input: unknown): Checksum {
  if (typeof input !== 'object' || input === null) throw new InvalidArgument('checksum must be {type, value}');
  const { type, value } = input as { type?: unknown; value?: unknown };
  if (typeof type !== 'string' || typeof value !== 'string') {
    throw new InvalidArgument('checksum must be {type, value} with string fields');
  }
  switch (type.toLowerCase()) {
    case 'adler32':
      if (!/^[0-9a-f]{1,8}$/i.test(value)) {
        throw new InvalidArgument(`adler32 checksum must be 1 to 8 hex digits: ${JSON.stringify(value.slice(0, 40))}`);
      }
      return { type: 'adler32', value: value.toLowerCase().padStart(8, '0') };
    case 'md5':
      if (!/^[0-9a-f]{32}$/i.test(value)) {
        throw new InvalidArgument(`md5 checksum must be 32 hex digits: ${JSON.stringify(value.slice(0, 40))}`);
      }
      return { type: 'md5', value: value.toLowerCase() };
    default:
      throw new InvalidArgument(`unsupported checksum type ${JSON.stringify(type.slice(0, 40))} (adler32 or md5)`);
  }
}

export function isChecksumType(value: string): value is ChecksumType {
  return value === 'adler32' || value === 'md5';
}

/** File sizes are bytes; JSON numbers are exact up to 2^53, which is 8 PiB. */
export function parseSize(input: unknown): number {
  if (typeof input !== 'number' || !Number.isSafeInteger(input) || input < 0) {
    throw new InvalidArgument('size must be a non-negative integer (bytes) below 2^53');
  }
  return input;
}
