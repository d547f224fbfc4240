import { InvalidArgument } from '../errors';
import { escapeInvisible, invisibleCharacterIn, type NameSettings } from './name-settings';

declare const lfnBrand: unique symbol;
/** An absolute, normalized logical file name. Only `parseLfn` (and the helpers here) make one. */
export type Lfn = string & { readonly [lfnBrand]: true };

export const LFN_MAX_BYTES = 1024;
export const COMPONENT_MAX_BYTES = 255;
export const ROOT = '/' as Lfn;

// C0 controls, DEL and C1 controls: invisible in listings and a classic way to forge look-alike names.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Validates and normalizes an LFN: absolute, Unicode NFC (so look-alike spellings of one name are one entry),
 * no `.`/`..`/empty components, no control characters, at most 1024 bytes of UTF-8 and 255 per component.
 * One trailing slash is tolerated and dropped (`/grid/vo/` is `/grid/vo`).
 *
 * ```ts
 * parseLfn('/grid/vo/run1/') // '/grid/vo/run1'
 * parseLfn('grid/vo')        // throws InvalidArgument: an LFN must be absolute
 * ```
 */
export function parseLfn(input: unknown, what = 'LFN'): Lfn {
  if (typeof input === 'string' && isPlainPath(input)) return input as Lfn;
  if (typeof input !== 'string') throw new InvalidArgument(`${what} must be a string`);
  if (input.length === 0) throw new InvalidArgument(`${what} must not be empty`);
  if (!input.isWellFormed()) throw new InvalidArgument(`${what} is not valid Unicode: ${JSON.stringify(input)}`);
  if (!input.startsWith('/')) throw new InvalidArgument(`${what} must be absolute (start with /): ${quote(input)}`);
  if (CONTROL.test(input)) throw new InvalidArgument(`${what} contains a control character: ${quote(input)}`);
  let path = input.normalize('NFC');
  if (path.length > 1 && path.endsWith('/')) {
    path = path.slice(0, -1);
    if (path === '/') throw new InvalidArgument(`${what} has an empty component: ${quote(input)}`);
  }
  if (Buffer.byteLength(path, 'utf8') > LFN_MAX_BYTES) {
    throw new InvalidArgument(`${what} is longer than ${LFN_MAX_BYTES} bytes`);
  }
  if (path === '/') return ROOT;
  for (const component of path.slice(1).split('/')) {
    if (component === '') throw new InvalidArgument(`${what} has an empty component: ${quote(path)}`);
    if (component === '.' || component === '..') {
      throw new InvalidArgument(`${what} must not contain '.' or '..' components: ${quote(path)}`);
    }
    if (Buffer.byteLength(component, 'utf8') > COMPONENT_MAX_BYTES) {
      throw new InvalidArgument(`${what} has a component longer than ${COMPONENT_MAX_BYTES} bytes`);
    }
  }
  return path as Lfn;
}

/**
 * `parseLfn` for a name about to be given to an entry (created, moved to, a link's target): also refuses the
 * characters that render invisibly unless the site allows them (`NameSettings`). Existing entries are named
 * with `parseLfn`, so that one named before the rule stays readable, movable and removable.
 */
export function parseNewLfn(input: unknown, settings: NameSettings | undefined, what = 'LFN'): Lfn {
  const lfn = parseLfn(input, what);
  if (isPlainPath(lfn)) return lfn;
  const found = invisibleCharacterIn(lfn, settings);
  if (found !== undefined) {
    throw new InvalidArgument(
      `${what} contains ${found}, a character that shows as nothing or reorders the text around it (a listing could pass it off as another name): ${quote(escapeInvisible(lfn))}`,
    );
  }
  return lfn;
}

/**
 * The common case, settled in one pass without allocating: printable ASCII (so already NFC, one byte per
 * character, no control characters), absolute, no trailing slash, no empty, `.` or `..` component, within
 * the limits. Such a name is its own normal form; anything else takes the full path, which says what is
 * wrong. Bulk requests parse 10,000 names, and the full path was a visible share of reading them.
 */
function isPlainPath(s: string): boolean {
  const n = s.length;
  if (n < 2 || n > LFN_MAX_BYTES || s.charCodeAt(0) !== 47 || s.charCodeAt(n - 1) === 47) return false;
  let start = 1;
  for (let i = 1; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 47;
    if (c === 47) {
      const length = i - start;
      if (length === 0 || length > COMPONENT_MAX_BYTES) return false;
      if (s.charCodeAt(start) === 46 && (length === 1 || (length === 2 && s.charCodeAt(start + 1) === 46))) return false;
      start = i + 1;
    } else if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Validates one name inside a directory (no slash), as used by joinLfn. */
export function isValidComponent(name: string): boolean {
  return (
    name !== '' &&
    name !== '.' &&
    name !== '..' &&
    !name.includes('/') &&
    !CONTROL.test(name) &&
    Buffer.byteLength(name, 'utf8') <= COMPONENT_MAX_BYTES
  );
}

export function parentOf(lfn: Lfn): Lfn | null {
  if (lfn === ROOT) return null;
  const cut = lfn.lastIndexOf('/');
  return (cut === 0 ? ROOT : lfn.slice(0, cut)) as Lfn;
}

export function baseName(lfn: Lfn): string {
  return lfn.slice(lfn.lastIndexOf('/') + 1);
}

/** Joins a directory and a relative remainder (`a/b`), re-checking the byte limit of the result. */
export function joinLfn(directory: Lfn, relative: string): Lfn {
  const joined = directory === ROOT ? `/${relative}` : `${directory}/${relative}`;
  if (Buffer.byteLength(joined, 'utf8') > LFN_MAX_BYTES) {
    throw new InvalidArgument(`LFN is longer than ${LFN_MAX_BYTES} bytes after resolving links: ${quote(joined)}`);
  }
  return joined as Lfn;
}

/** True when `lfn` lies strictly below `ancestor`. */
export function isBelow(lfn: Lfn, ancestor: Lfn): boolean {
  return ancestor === ROOT ? lfn !== ROOT : lfn.startsWith(`${ancestor}/`);
}

/** Proper ancestors from the root down: `/a/b/c` → `/`, `/a`, `/a/b`. */
export function ancestorsOf(lfn: Lfn): Lfn[] {
  const out: Lfn[] = [];
  for (let p = parentOf(lfn); p !== null; p = parentOf(p)) out.push(p);
  return out.reverse();
}

/** Components of the path: `/a/b` → `['a', 'b']`. */
export function componentsOf(lfn: Lfn): string[] {
  return lfn === ROOT ? [] : lfn.slice(1).split('/');
}

export function depthOf(lfn: Lfn): number {
  return componentsOf(lfn).length;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}
