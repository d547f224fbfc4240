import type { Db } from '../../db/schema';

/**
 * Gives the namespace root its configured owner and group. The root starts owned by nobody (only admins
 * may create at the top); a site names the account that runs the top of its tree. Applied at start-up;
 * an owner already set is changed only when the configuration says another.
 */
export async function setRootOwner(db: Db, owner: string, group: string): Promise<void> {
  await db
    .updateTable('entries')
    .set({ owner_dn: owner, group_name: group })
    .where('lfn', '=', '/')
    .where((eb) => eb.or([eb('owner_dn', '!=', owner), eb('group_name', '!=', group)]))
    .execute();
}
