import { UsageError } from './exit-codes';
import { rightsOfLetters, type RightName } from './rights-letters';

export type BaseClass = 'owner' | 'group' | 'other';

/**
 * One request's worth of a chmod: a permissions/set change with one mode. The service applies each
 * atomically per entry, so `u+w` cannot lose a concurrent change the way read-modify-write could.
 */
export interface ChmodStep {
  readonly mode: 'replace' | 'add' | 'remove';
  readonly base: Partial<Record<BaseClass, RightName[]>>;
}

const CLASSES: Readonly<Record<string, readonly BaseClass[]>> = {
  u: ['owner'],
  g: ['group'],
  o: ['other'],
  a: ['owner', 'group', 'other'],
};

const MODE_OF: Readonly<Record<string, ChmodStep['mode']>> = { '+': 'add', '-': 'remove', '=': 'replace' };

/**
 * Parses a chmod(1)-like mode over Fireman's rights: comma-separated clauses of subjects `ugoa` (none:
 * all three) and one or more `+`, `-` or `=` actions with letters of `pdrwlxgs`, e.g. `u=pdrwlxgs,go=rl`,
 * `g+w`, `o-rwx`, `a=`, `u+r-w`. Clauses apply left to right; consecutive actions with the same operator
 * on different subjects are merged into one step, so most modes cost one request.
 *
 * ```ts
 * parseChmodMode('ug+rw,o-w');
 * // [{mode: 'add', base: {owner: ['read','write'], group: ['read','write']}}, {mode: 'remove', base: {other: ['write']}}]
 * ```
 */
export function parseChmodMode(text: string): ChmodStep[] {
  if (text === '') throw new UsageError('empty mode');
  const steps: { mode: ChmodStep['mode']; base: Partial<Record<BaseClass, RightName[]>> }[] = [];
  for (const clause of text.split(',')) {
    const match = /^([ugoa]*)((?:[-+=][pdrwlxgs]*)+)$/.exec(clause);
    if (match === null) throw new UsageError(`${JSON.stringify(text)}: bad mode clause ${JSON.stringify(clause)} (expected [ugoa][+-=][pdrwlxgs], e.g. g+rl)`);
    const subjects = match[1] === '' ? 'a' : match[1]!;
    const classes = [...new Set([...subjects].flatMap((s) => CLASSES[s]!))];
    for (const action of match[2]!.match(/[-+=][pdrwlxgs]*/g)!) {
      const mode = MODE_OF[action[0]!]!;
      const rights = rightsOfLetters(action.slice(1), text);
      const last = steps.at(-1);
      // Merging is only safe when no class is named twice: `u+r,u+w` must still add both.
      const step = last !== undefined && last.mode === mode && classes.every((c) => last.base[c] === undefined) ? last : { mode, base: {} };
      if (step !== last) steps.push(step);
      for (const c of classes) step.base[c] = rights;
    }
  }
  return steps;
}
