import { UsageError } from './exit-codes';
import { hasWildcard, parsePattern, unescapeLfn, type LfnPattern } from './lfn-pattern';

/**
 * An argument naming catalog entries, in the forms the gLite tools accepted: an absolute path, `lfn://`
 * + an absolute path (also JDL's `lfn:/path`), `guid:` + a UUID (also `guid://`), and paths holding `?`
 * or `*` wildcards.
 */
export type CatalogArgument =
  | { readonly kind: 'lfn'; readonly text: string; readonly lfn: string }
  | { readonly kind: 'pattern'; readonly text: string; readonly pattern: LfnPattern }
  | { readonly kind: 'guid'; readonly text: string; readonly guid: string };

export interface ArgumentForms {
  /** Whether `guid:` names are accepted (the operation can take a file by GUID). Default false. */
  readonly guids?: boolean;
  /** Whether wildcards are expanded (false: `*` and `?` are taken literally). Default true. */
  readonly patterns?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses one argument; a relative path, an empty one or an unwanted form is a UsageError (exit 2). */
export function parseCatalogArgument(text: string, forms: ArgumentForms = {}): CatalogArgument {
  const guid = guidOf(text);
  if (guid !== undefined) {
    if (forms.guids !== true) throw new UsageError(`${text}: a GUID is not accepted here; give an LFN`);
    if (!UUID.test(guid)) throw new UsageError(`${text}: not a GUID (a UUID such as guid:6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c)`);
    return { kind: 'guid', text, guid: guid.toLowerCase() };
  }
  const path = pathOf(text);
  if (!path.startsWith('/')) throw new UsageError(`${text}: an LFN must be absolute (start with /)`);
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
  if (forms.patterns !== false && hasWildcard(trimmed)) return { kind: 'pattern', text, pattern: parsePattern(trimmed) };
  return { kind: 'lfn', text, lfn: forms.patterns === false ? trimmed : unescapeLfn(trimmed) };
}

/** Parses every argument, reporting the first bad one. */
export function parseCatalogArguments(texts: readonly string[], forms: ArgumentForms = {}): CatalogArgument[] {
  return texts.map((text) => parseCatalogArgument(text, forms));
}

/** An LFN argument (no GUID, no wildcards): for targets such as mv's destination or a symlink's name. */
export function parseLfnArgument(text: string): string {
  const parsed = parseCatalogArgument(text, { patterns: false });
  if (parsed.kind !== 'lfn') throw new UsageError(`${text}: give an LFN`);
  return parsed.lfn;
}

function guidOf(text: string): string | undefined {
  const match = /^guid:(?:\/\/)?(.*)$/i.exec(text);
  return match?.[1];
}

function pathOf(text: string): string {
  const match = /^lfn:(.*)$/i.exec(text);
  if (match === null) return text;
  const rest = match[1]!;
  // lfn:///grid/a (the tools' form) and lfn:/grid/a (JDL's) both name /grid/a.
  return rest.startsWith('//') ? rest.slice(2) : rest;
}
