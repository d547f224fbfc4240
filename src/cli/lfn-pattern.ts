/**
 * LFN patterns as the gLite tools took them: `?` and `*` in any component (`/grid/*\/run?/*.root`),
 * matched against one component at a time, `\` escaping a literal `*`, `?` or `\`. A `*` matches names
 * starting with a dot too (fnmatch without FNM_PERIOD, as the C tools called it).
 */

/** One component of a pattern: a literal name, or a glob matched against the names of a directory. */
export type PatternComponent =
  | { readonly kind: 'literal'; readonly name: string }
  | { readonly kind: 'glob'; readonly source: string; readonly regex: RegExp };

export interface LfnPattern {
  /** As typed. */
  readonly text: string;
  readonly components: readonly PatternComponent[];
}

/** Whether an LFN argument holds an unescaped `*` or `?`. */
export function hasWildcard(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?') return true;
  }
  return false;
}

/** The LFN an argument without wildcards names: escapes removed. */
export function unescapeLfn(text: string): string {
  return text.replace(/\\([*?\\])/g, '$1');
}

/** Splits an absolute path (leading `/` already checked) into a pattern; empty components are dropped. */
export function parsePattern(text: string): LfnPattern {
  const components = splitComponents(text).map((part): PatternComponent => {
    if (!hasWildcard(part)) return { kind: 'literal', name: unescapeLfn(part) };
    return { kind: 'glob', source: part, regex: globRegex(part) };
  });
  return { text, components };
}

/** Components split on `/`, keeping escapes (a `\/` is not a separator, since LFN components hold no `/`). */
function splitComponents(text: string): string[] {
  return text.split('/').filter((part) => part !== '');
}

function globRegex(part: string): RegExp {
  let source = '^';
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === '\\' && i + 1 < part.length) {
      source += escapeRegex(part[++i]!);
    } else if (c === '*') {
      source += '.*';
    } else if (c === '?') {
      // One character, not one UTF-16 unit: the `u` flag makes `.` take a whole code point.
      source += '.';
    } else {
      source += escapeRegex(c);
    }
  }
  return new RegExp(`${source}$`, 'su');
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** The path of components joined under the root. */
export function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** The last component of an LFN (the root is `/`). */
export function baseName(lfn: string): string {
  if (lfn === '/') return '/';
  return lfn.slice(lfn.lastIndexOf('/') + 1);
}

/** The directory holding an LFN; the root's parent is itself. */
export function parentPath(lfn: string): string {
  const cut = lfn.lastIndexOf('/');
  return cut <= 0 ? '/' : lfn.slice(0, cut);
}
