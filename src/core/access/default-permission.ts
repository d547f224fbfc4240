import type { CatalogContext } from '../context';
import { checkPrincipal, DEFAULT_BASE, type Permission } from './permission';

/**
 * The permission the catalog gives new entries, before the parent directory's inheritable ACL entries
 * are added: owner everything, group read and list, others nothing. Owner and group are empty here:
 * they are whoever creates the entry.
 */
export function defaultGlobalPermission(): Permission {
  return { owner: '', group: '', base: DEFAULT_BASE, acl: [] };
}

/**
 * The permission a new entry created by `principal` gets (inheritable ACL entries aside): the global
 * default, owned by the principal. The group is known only for the caller itself (its primary group);
 * for anyone else it is empty. Anyone may ask: the defaults are the same for everyone and reveal nothing.
 */
export function defaultPrincipalPermission(ctx: CatalogContext, principal: string): Permission {
  const owner = checkPrincipal(principal, 'user');
  return { ...defaultGlobalPermission(), owner, group: owner === ctx.identity.dn ? ctx.identity.group : '' };
}
