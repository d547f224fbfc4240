import { InvalidArgument } from '../errors';

declare const surlBrand: unique symbol;
/** A storage URL, kept byte for byte as registered (it is the key the storage element knows it by). */
export type Surl = string & { readonly [surlBrand]: true };

export const SURL_MAX_BYTES = 2048;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const FORBIDDEN = /[\u0000-\u0020\u007f-\u009f]/u;

export interface ParsedSurl {
  readonly surl: Surl;
  /** The storage element: the SURL's host, lowercase, without port. */
  readonly se: string;
}

/**
 * `srm://se1.example.org:8446/srm/managerv2?SFN=/dpm/vo/f1` → se `se1.example.org`.
 * Any URL scheme with a host is accepted (srm, gsiftp, root, https, …).
 */
export function parseSurl(input: unknown): ParsedSurl {
  if (typeof input !== 'string') throw new InvalidArgument('SURL must be a string');
  if (!SCHEME.test(input)) throw new InvalidArgument(`SURL must be a URL with a scheme and host: ${show(input)}`);
  if (FORBIDDEN.test(input)) throw new InvalidArgument(`SURL contains white space or control characters: ${show(input)}`);
  if (!input.isWellFormed()) throw new InvalidArgument('SURL is not valid Unicode');
  if (Buffer.byteLength(input, 'utf8') > SURL_MAX_BYTES) {
    throw new InvalidArgument(`SURL is longer than ${SURL_MAX_BYTES} bytes`);
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new InvalidArgument(`SURL is not a valid URL: ${show(input)}`);
  }
  if (url.hostname === '') throw new InvalidArgument(`SURL has no host: ${show(input)}`);
  const se = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return { surl: input as Surl, se };
}

function show(s: string): string {
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}
