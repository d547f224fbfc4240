import { randomUUID } from 'node:crypto';
import { InvalidArgument } from '../errors';

declare const guidBrand: unique symbol;
/** A GUID as stored: a UUID in lowercase 8-4-4-4-12 form, without the `guid:` prefix. */
export type Guid = string & { readonly [guidBrand]: true };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Accepts `guid:`-prefixed and bare UUIDs in any case. Old gLite tools wrote UUIDs of every version,
 * so the version and variant nibbles are not checked.
 */
export function parseGuid(input: unknown): Guid {
  if (typeof input !== 'string') throw new InvalidArgument('GUID must be a string');
  const bare = (/^guid:/i.test(input) ? input.slice(5) : input).toLowerCase();
  if (!UUID.test(bare)) throw new InvalidArgument(`GUID is not a UUID: ${JSON.stringify(input.slice(0, 100))}`);
  return bare as Guid;
}

export function newGuid(): Guid {
  return randomUUID() as Guid;
}
