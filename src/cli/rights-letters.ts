import { UsageError } from './exit-codes';

/** Fireman's eight rights, as the contract names them. */
export type RightName = 'permission' | 'remove' | 'read' | 'write' | 'list' | 'execute' | 'getMetadata' | 'setMetadata';

/**
 * The letters of glite-catalog-chmod (glite-data-catalog-cli man pages): p change permissions, d delete,
 * r read, w write, l list, x execute (traverse), g get metadata, s set metadata; shown in this order.
 */
export const RIGHT_LETTERS: readonly (readonly [letter: string, right: RightName])[] = [
  ['p', 'permission'],
  ['d', 'remove'],
  ['r', 'read'],
  ['w', 'write'],
  ['l', 'list'],
  ['x', 'execute'],
  ['g', 'getMetadata'],
  ['s', 'setMetadata'],
];

const BY_LETTER: ReadonlyMap<string, RightName> = new Map(RIGHT_LETTERS);

/** `rwl` → ['read', 'write', 'list'] in the canonical order; `-` is ignored (a placeholder). */
export function rightsOfLetters(letters: string, context = letters): RightName[] {
  const wanted = new Set<RightName>();
  for (const letter of letters) {
    if (letter === '-') continue;
    const right = BY_LETTER.get(letter);
    if (right === undefined) throw new UsageError(`${context}: unknown right ${JSON.stringify(letter)} (use the letters pdrwlxgs)`);
    wanted.add(right);
  }
  return RIGHT_LETTERS.filter(([, right]) => wanted.has(right)).map(([, right]) => right);
}

/** ['read', 'list'] → `rl`, in the canonical order; no rights → `-`. */
export function lettersOfRights(rights: readonly string[]): string {
  const held = new Set(rights);
  const letters = RIGHT_LETTERS.filter(([, right]) => held.has(right)).map(([letter]) => letter).join('');
  return letters === '' ? '-' : letters;
}

/** The eight positions, `-` where a right is missing: `pdrwlxgs`, `--r-l---`; as ls -l shows modes. */
export function rightsMask(rights: readonly string[]): string {
  const held = new Set(rights);
  return RIGHT_LETTERS.map(([letter, right]) => (held.has(right) ? letter : '-')).join('');
}
