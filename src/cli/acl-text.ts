import { UsageError } from './exit-codes';
import { lettersOfRights, rightsOfLetters, type RightName } from './rights-letters';
import type { BaseClass } from './chmod-mode';

/** An ACL entry as the contract has it. */
export interface AclEntryText {
  readonly principal: string;
  readonly kind: 'user' | 'group';
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
  readonly inherit?: boolean;
}

/** A permission as the contract has it. */
export interface PermissionText {
  readonly owner: string;
  readonly group: string;
  readonly base: Readonly<Record<BaseClass, readonly string[]>>;
  readonly acl: readonly AclEntryText[];
}

/**
 * The text form of a permission, getfacl-like, one entry a line, that setacl reads back:
 *
 * ```text
 * # owner: /DC=org/DC=example/CN=Alice
 * # group: vo
 * user::pdrwlxgs                  base rights of the owner, the group and others
 * group::rl
 * other::-
 * user:/DC=org/DC=example/CN=Bob:rl     an ACL entry: allowed letters
 * group:/vo/prod:rwl!d                  ... then `!` and denied letters
 * inherit:group:/vo:rl                  copied to new entries below this directory
 * ```
 */
export function formatPermission(permission: PermissionText): string[] {
  return [
    `# owner: ${permission.owner}`,
    `# group: ${permission.group}`,
    `user::${lettersOfRights(permission.base.owner)}`,
    `group::${lettersOfRights(permission.base.group)}`,
    `other::${lettersOfRights(permission.base.other)}`,
    ...permission.acl.map(formatAclEntry),
  ];
}

export function formatAclEntry(entry: AclEntryText): string {
  const deny = entry.deny !== undefined && entry.deny.length > 0 ? `!${lettersOfRights(entry.deny)}` : '';
  return `${entry.inherit === true ? 'inherit:' : ''}${entry.kind}:${entry.principal}:${lettersOfRights(entry.allow ?? [])}${deny}`;
}

/** One parsed setacl argument: base rights of a class, or an ACL entry. */
export type AclSpec =
  | { readonly kind: 'base'; readonly who: BaseClass; readonly rights: RightName[] }
  | { readonly kind: 'entry'; readonly entry: { principal: string; kind: 'user' | 'group'; allow: RightName[]; deny: RightName[]; inherit: boolean } };

const KINDS: Readonly<Record<string, 'user' | 'group' | 'other'>> = { u: 'user', user: 'user', g: 'group', group: 'group', o: 'other', other: 'other' };

/**
 * Parses one entry of the text form (`user:/DC=org/CN=Bob:rl!w`, `inherit:group:/vo:rl`, `other::r`).
 * The rights are after the last `:`, so a principal may hold colons. With `rightsOptional` (removal:
 * `-x user:/DC=org/CN=Bob`), the rights may be left out.
 */
export function parseAclSpec(text: string, rightsOptional = false): AclSpec {
  let rest = text;
  let inherit = false;
  if (/^(inherit|default|d):/.test(rest)) {
    inherit = true;
    rest = rest.slice(rest.indexOf(':') + 1);
  }
  const colon = rest.indexOf(':');
  const kind = colon < 0 ? undefined : KINDS[rest.slice(0, colon)];
  if (kind === undefined) throw new UsageError(`${JSON.stringify(text)}: an ACL entry is user:PRINCIPAL:RIGHTS, group:PRINCIPAL:RIGHTS, or user::/group::/other::RIGHTS for the base rights`);
  rest = rest.slice(colon + 1);
  let principal = rest;
  let rightsText = '';
  const last = rest.lastIndexOf(':');
  if (last >= 0 && /^[pdrwlxgs-]*(![pdrwlxgs-]*)?$/.test(rest.slice(last + 1))) {
    principal = rest.slice(0, last);
    rightsText = rest.slice(last + 1);
  } else if (!rightsOptional) {
    throw new UsageError(`${JSON.stringify(text)}: the rights (letters pdrwlxgs, then optionally ! and denied letters) come after the last colon`);
  }
  const [allowText = '', denyText = ''] = rightsText.split('!');
  if (principal === '') {
    if (inherit) throw new UsageError(`${JSON.stringify(text)}: base rights are not inherited`);
    if (denyText !== '') throw new UsageError(`${JSON.stringify(text)}: base rights cannot deny`);
    const who: BaseClass = kind === 'user' ? 'owner' : kind;
    return { kind: 'base', who, rights: rightsOfLetters(allowText, text) };
  }
  if (kind === 'other') throw new UsageError(`${JSON.stringify(text)}: other takes no principal (other::RIGHTS)`);
  return {
    kind: 'entry',
    entry: { principal, kind, allow: rightsOfLetters(allowText, text), deny: rightsOfLetters(denyText, text), inherit },
  };
}
