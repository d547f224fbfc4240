import type { AclEntry } from '@replicat/sdk';
import { parseAclSpec, type AclSpec } from '../acl-text';
import type { BaseClass } from '../chmod-mode';
import { defineCommand } from '../command-spec';
import { collect } from '../option-values';
import { UsageError } from '../exit-codes';
import { applyPermissionSteps, type PermissionStep } from '../permission-steps';
import type { RightName } from '../rights-letters';

interface SetaclOptions {
  readonly modify: string[];
  readonly remove: string[];
  readonly set: string[];
  readonly recursive?: boolean;
}

export const setacl = defineCommand<SetaclOptions>({
  name: 'setacl',
  tool: 'glite-catalog-setacl',
  summary: 'change ACL entries and base rights',
  description:
    'ENTRY is a line of getacl: user:PRINCIPAL:RIGHTS or group:PRINCIPAL:RIGHTS (RIGHTS: allowed letters of ' +
    'pdrwlxgs, then optionally ! and denied letters), prefixed inherit: to pass it to new entries below; ' +
    'user::RIGHTS, group::RIGHTS, other::RIGHTS set the base rights. One entry per option, so a DN may hold ' +
    'commas. --set replaces the whole ACL; -m adds or replaces entries of the same principal; -x removes them.',
  arguments: [['<lfn...>', 'LFNs (wildcards expanded)']],
  examples: [
    "glite-catalog-setacl -m 'group:/vo/prod:rwl' -m 'user:/DC=org/DC=example/CN=Bob:rl!w' /grid/vo/run1",
    "glite-catalog-setacl -x 'user:/DC=org/DC=example/CN=Bob' /grid/vo/run1",
    "glite-catalog-setacl --set 'inherit:group:/vo:rl' --set 'other::-' -R /grid/vo/run1",
  ],
  configure: (command) =>
    command
      .option('-m, --modify <entry>', 'add or replace an entry (repeatable)', collect, [])
      .option('-x, --remove <entry>', 'remove the entry of a principal (repeatable)', collect, [])
      .option('--set <entry>', 'replace the ACL by these entries (repeatable)', collect, [])
      .option('-R, --recursive', 'change everything below directories too'),
  async run(session, args, options) {
    const steps: PermissionStep[] = [];
    if (options.set.length > 0) {
      const specs = options.set.map((text) => parseAclSpec(text));
      steps.push({ mode: 'replace', permission: { ...baseOf(specs), acl: entriesOf(specs) } });
    }
    if (options.modify.length > 0) {
      const specs = options.modify.map((text) => parseAclSpec(text));
      // Base rights given with -m are set as given, not added to: the service's add mode would OR them.
      if (specs.some((s) => s.kind === 'base')) steps.push({ mode: 'replace', permission: baseOf(specs) });
      const acl = entriesOf(specs);
      if (acl.length > 0) steps.push({ mode: 'add', permission: { acl } });
    }
    if (options.remove.length > 0) {
      const specs = options.remove.map((text) => parseAclSpec(text, true));
      if (specs.some((s) => s.kind === 'base')) throw new UsageError('-x removes ACL entries; set base rights with -m user::RIGHTS');
      steps.push({ mode: 'remove', permission: { acl: entriesOf(specs) } });
    }
    if (steps.length === 0) throw new UsageError('nothing to change: give -m, -x or --set');
    await applyPermissionSteps(session, args, steps, options.recursive === true);
  },
});

function baseOf(specs: readonly AclSpec[]): { base?: Partial<Record<BaseClass, RightName[]>> } {
  const base: Partial<Record<BaseClass, RightName[]>> = {};
  for (const s of specs) if (s.kind === 'base') base[s.who] = s.rights;
  return Object.keys(base).length > 0 ? { base } : {};
}

function entriesOf(specs: readonly AclSpec[]): AclEntry[] {
  return specs.flatMap((s) => (s.kind === 'entry' ? [s.entry] : []));
}
