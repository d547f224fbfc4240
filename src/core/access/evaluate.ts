import type { Identity } from '../context';
import type { Permission } from './permission';
import type { RightMask } from './rights';

/**
 * The rights an identity holds on an entry, NTFS style: everything allowed to it (base rights as owner,
 * as a member of the entry's group, as anyone; ACL entries naming it or one of its groups), minus
 * everything denied to it by any ACL entry naming it. Deny wins over allow, whatever the order.
 */
export function grantedRights(identity: Identity, permission: Permission): RightMask {
  let allowed = permission.base.other;
  if (identity.dn === permission.owner && permission.owner !== '') allowed |= permission.base.owner;
  if (permission.group !== '' && inGroup(identity, permission.group)) allowed |= permission.base.group;
  let denied = 0;
  for (const entry of permission.acl) {
    const names = entry.kind === 'user' ? entry.principal === identity.dn : inGroup(identity, entry.principal);
    if (!names) continue;
    allowed |= entry.allow;
    denied |= entry.deny;
  }
  return allowed & ~denied;
}

function inGroup(identity: Identity, group: string): boolean {
  return identity.group === group || identity.groups.includes(group);
}
