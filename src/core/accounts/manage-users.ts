import { sql } from 'kysely';
import { inTransaction, reading } from '../../db/transaction';
import type { Queryable } from '../../db/schema';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError, Conflict, Exists, NotExists, PermissionDenied } from '../errors';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { parseAccountName, parseDn, parsePassword, requireAdmin, type Account } from './account';
import { hashPassword } from './password-hash';
import { publicAccount, readAccounts } from './read-accounts';

export interface NewUser {
  readonly name: string;
  readonly password?: string;
  readonly dn?: string;
  readonly admin?: boolean;
  readonly groups?: readonly string[];
}

export interface UserChanges {
  readonly password?: string;
  /** null removes the mapped DN. */
  readonly dn?: string | null;
  readonly admin?: boolean;
  readonly disabled?: boolean;
  /** Replaces the user's group memberships. */
  readonly groups?: readonly string[];
}

/** Creates local users (admin only). Each item stands alone: Exists for a taken name or DN, NotExists for an unknown group. */
export async function createUsers(ctx: CatalogContext, items: readonly NewUser[]): Promise<Result<Account>[]> {
  requireAdmin(ctx, 'create users');
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => ({
    name: parseAccountName(item.name, 'user'),
    password: item.password === undefined ? undefined : parsePassword(item.password),
    dn: item.dn === undefined ? null : parseDn(item.dn),
    admin: item.admin === true,
    groups: [...new Set((item.groups ?? []).map((g) => parseAccountName(g, 'group')))],
  }));
  // Hashing is the slow part and needs no transaction; done first, a few at a time.
  const hashes = await mapLimited(parsed, 4, async (p) => (p instanceof CatalogError || p.password === undefined ? null : hashPassword(p.password)));
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<Account>(items.length);
    const live = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, ...p, hash: hashes[index]! }]));
    const known = await existingGroups(trx, live.flatMap((u) => u.groups));
    const seen = new Set<string>();
    const rows = live.filter((u) => {
      const missing = u.groups.find((g) => !known.has(g));
      if (missing !== undefined) slots.fail(u.index, new NotExists(`no such group: ${missing}`));
      else if (seen.has(u.name)) slots.fail(u.index, new Exists(`user exists: ${u.name}`));
      else return seen.add(u.name), true;
      return false;
    });
    const inserted = new Set(
      rows.length === 0
        ? []
        : (
            await trx
              .insertInto('users')
              .values(rows.map((u) => ({ name: u.name, password_hash: u.hash, dn: u.dn, admin: u.admin })))
              .onConflict((oc) => oc.doNothing())
              .returning('name')
              .execute()
          ).map((r) => r.name),
    );
    const memberships = rows.filter((u) => inserted.has(u.name)).flatMap((u) => u.groups.map((g) => ({ group_name: g, user_name: u.name })));
    if (memberships.length > 0) await trx.insertInto('group_members').values(memberships).execute();
    const accounts = new Map((await readAccounts(trx, { names: [...inserted] })).map((a) => [a.name, publicAccount(a)]));
    for (const u of rows) {
      const account = accounts.get(u.name);
      if (account) slots.succeed(u.index, account);
      else slots.fail(u.index, new Exists(u.dn ? `user exists: ${u.name}, or the DN is another user's` : `user exists: ${u.name}`));
    }
    return slots.toArray();
  });
}

export async function listUsers(ctx: CatalogContext): Promise<Account[]> {
  requireAdmin(ctx, 'list users');
  return reading(async () => (await readAccounts(ctx.db, { all: true })).map(publicAccount));
}

/** One user: an admin may read anyone, a user themself. */
export async function getUser(ctx: CatalogContext, name: string): Promise<Account> {
  if (ctx.identity.admin !== true && ctx.identity.account !== name) throw new PermissionDenied('only an administrator may read other users');
  const [found] = await reading(() => readAccounts(ctx.db, { names: [parseAccountName(name, 'user')] }));
  if (found === undefined) throw new NotExists(`no such user: ${name}`);
  return publicAccount(found);
}

/**
 * Changes a user. An admin may change anything; users may change their own password only. The last
 * enabled admin cannot be demoted or disabled, so the catalog never locks out its administrators.
 */
export async function updateUser(ctx: CatalogContext, name: string, changes: UserChanges): Promise<Account> {
  parseAccountName(name, 'user');
  const onlyPassword = Object.keys(changes).every((k) => k === 'password');
  if (ctx.identity.admin !== true && !(onlyPassword && ctx.identity.account === name)) {
    throw new PermissionDenied('only an administrator may change users (users may change their own password)');
  }
  const password = changes.password === undefined ? undefined : await hashPassword(parsePassword(changes.password));
  const dn = changes.dn === undefined || changes.dn === null ? changes.dn : parseDn(changes.dn);
  const groups = changes.groups?.map((g) => parseAccountName(g, 'group'));
  const updated = await inTransaction(ctx.db, async (trx) => {
    const updated = await trx
      .updateTable('users')
      .set({
        mtime: new Date(),
        ...(password !== undefined ? { password_hash: password } : {}),
        ...(dn !== undefined ? { dn } : {}),
        ...(changes.admin !== undefined ? { admin: changes.admin } : {}),
        ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
      })
      .where('name', '=', name)
      .returning('name')
      .executeTakeFirst()
      .catch((error: unknown) => {
        if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505') throw new Exists(`the DN is another user's: ${dn}`);
        throw error;
      });
    if (updated === undefined) throw new NotExists(`no such user: ${name}`);
    if (groups !== undefined) {
      const known = await existingGroups(trx, groups);
      const missing = groups.find((g) => !known.has(g));
      if (missing !== undefined) throw new NotExists(`no such group: ${missing}`);
      await trx.deleteFrom('group_members').where('user_name', '=', name).execute();
      if (groups.length > 0) await trx.insertInto('group_members').values([...new Set(groups)].map((g) => ({ group_name: g, user_name: name }))).execute();
    }
    if (changes.admin === false || changes.disabled === true) await keepAnAdmin(trx);
    // Disabling a user or changing their password ends the bearer tokens they hold.
    if (changes.disabled === true || password !== undefined) await trx.deleteFrom('tokens').where('user_name', '=', name).execute();
    return publicAccount((await readAccounts(trx, { names: [name] }))[0]!);
  });
  ctx.accountsChanged?.();
  return updated;
}

export async function deleteUser(ctx: CatalogContext, name: string): Promise<void> {
  requireAdmin(ctx, 'delete users');
  parseAccountName(name, 'user');
  await inTransaction(ctx.db, async (trx) => {
    const gone = await trx.deleteFrom('users').where('name', '=', name).returning('name').executeTakeFirst();
    if (gone === undefined) throw new NotExists(`no such user: ${name}`);
    await keepAnAdmin(trx);
  });
  ctx.accountsChanged?.();
}

async function keepAnAdmin(db: Queryable): Promise<void> {
  const { count } = await db
    .selectFrom('users')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('admin', '=', true)
    .where('disabled', '=', false)
    .executeTakeFirstOrThrow();
  if (count === 0) throw new Conflict('this would leave no enabled administrator');
}

export async function existingGroups(db: Queryable, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db.selectFrom('groups').select('name').where('name', 'in', [...new Set(names)]).execute();
  return new Set(rows.map((r) => r.name));
}

async function mapLimited<T, U>(items: readonly T[], limit: number, work: (item: T) => Promise<U>): Promise<U[]> {
  const out = new Array<U>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!);
      }
    }),
  );
  return out;
}
