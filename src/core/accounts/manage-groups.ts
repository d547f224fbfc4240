import { inTransaction, reading } from '../../db/transaction';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError, Exists, NotExists } from '../errors';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { parseAccountName, requireAdmin, type Group } from './account';

export interface MembershipChange {
  readonly user: string;
  /** Remove the user from the group instead of adding them. */
  readonly remove?: boolean;
}

export interface Membership {
  readonly user: string;
  readonly member: boolean;
}

export async function createGroups(ctx: CatalogContext, items: readonly { readonly name: string }[]): Promise<Result<Group>[]> {
  requireAdmin(ctx, 'create groups');
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => parseAccountName(item.name, 'group'));
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<Group>(items.length);
    const names = parsed.filter((p): p is string => typeof p === 'string');
    const inserted = new Set(
      names.length === 0
        ? []
        : (await trx.insertInto('groups').values([...new Set(names)].map((name) => ({ name }))).onConflict((oc) => oc.doNothing()).returning('name').execute()).map((r) => r.name),
    );
    parsed.forEach((p, index) => {
      if (p instanceof CatalogError) slots.fail(index, p);
      else if (inserted.delete(p)) slots.succeed(index, { name: p, members: [] });
      else slots.fail(index, new Exists(`group exists: ${p}`));
    });
    return slots.toArray();
  });
}

export async function listGroups(ctx: CatalogContext): Promise<Group[]> {
  requireAdmin(ctx, 'list groups');
  return reading(async () => {
    const groups = await ctx.db.selectFrom('groups').select('name').orderBy('name').execute();
    const members = await ctx.db.selectFrom('group_members').select(['group_name', 'user_name']).orderBy('user_name').execute();
    return groups.map((g) => ({ name: g.name, members: members.filter((m) => m.group_name === g.name).map((m) => m.user_name) }));
  });
}

/** Adds users to (or removes them from) one group, per item: NotExists for an unknown user. */
export async function changeMembers(ctx: CatalogContext, group: string, items: readonly MembershipChange[]): Promise<Result<Membership>[]> {
  requireAdmin(ctx, 'change group members');
  checkBulkSize(ctx, items.length);
  parseAccountName(group, 'group');
  const parsed = parseItems(items, (item) => ({ user: parseAccountName(item.user, 'user'), remove: item.remove === true }));
  const results = await inTransaction(ctx.db, async (trx) => {
    const found = await trx.selectFrom('groups').select('name').where('name', '=', group).forUpdate().executeTakeFirst();
    if (found === undefined) throw new NotExists(`no such group: ${group}`);
    const slots = new ResultSlots<Membership>(items.length);
    const live = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, ...p }]));
    const users = live.length === 0 ? new Set<string>() : new Set((await trx.selectFrom('users').select('name').where('name', 'in', live.map((c) => c.user)).execute()).map((r) => r.name));
    const adds = live.filter((c) => !c.remove && users.has(c.user)).map((c) => ({ group_name: group, user_name: c.user }));
    const removes = live.filter((c) => c.remove && users.has(c.user)).map((c) => c.user);
    if (adds.length > 0) await trx.insertInto('group_members').values(adds).onConflict((oc) => oc.doNothing()).execute();
    if (removes.length > 0) await trx.deleteFrom('group_members').where('group_name', '=', group).where('user_name', 'in', removes).execute();
    // Items act in request order: the last change to a user decides, which is what the database now holds.
    for (const c of live) {
      if (users.has(c.user)) slots.succeed(c.index, { user: c.user, member: !c.remove });
      else slots.fail(c.index, new NotExists(`no such user: ${c.user}`));
    }
    return slots.toArray();
  });
  ctx.accountsChanged?.();
  return results;
}
