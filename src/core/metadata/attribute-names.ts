import { InvalidArgument } from '../errors';

/** Bytes of an attribute or schema name; names travel as query parameters, never as SQL identifiers. */
export const NAME_MAX_BYTES = 128;

// C0/C1 controls and DEL: invisible in listings and a way to forge look-alike names.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Checks an attribute or schema name. Any printable Unicode is allowed (a query names unusual ones
 * in double quotes), because names are only ever bound as parameters. Names are case-sensitive.
 */
export function parseName(input: unknown, what: 'attribute' | 'schema'): string {
  if (typeof input !== 'string') throw new InvalidArgument(`${what} name must be a string`);
  if (input.length === 0) throw new InvalidArgument(`${what} name must not be empty`);
  if (!input.isWellFormed()) throw new InvalidArgument(`${what} name is not valid Unicode`);
  if (CONTROL.test(input)) throw new InvalidArgument(`${what} name contains a control character: ${JSON.stringify(input)}`);
  if (input.trim() !== input) throw new InvalidArgument(`${what} name has leading or trailing spaces: ${JSON.stringify(input)}`);
  const name = input.normalize('NFC');
  if (Buffer.byteLength(name, 'utf8') > NAME_MAX_BYTES) throw new InvalidArgument(`${what} name is longer than ${NAME_MAX_BYTES} bytes`);
  return name;
}

export const parseAttributeName = (input: unknown): string => parseName(input, 'attribute');
export const parseSchemaName = (input: unknown): string => parseName(input, 'schema');
