import { sql } from 'kysely';
import type { Queryable } from '../../db/schema';
import type { Account } from './account';

/** An account with what authentication needs (its password hash); never leaves src/auth and core. */
export interface AccountRecord extends Account {
  readonly passwordHash: string | null;
}

type Where = { readonly names: readonly string[] } | { readonly dn: string } | { readonly all: true };

/** Accounts with their groups, in two queries whatever the number of accounts. */
export async function readAccounts(db: Queryable, where: Where): Promise<AccountRecord[]> {
  let query = db.selectFrom('users').selectAll().orderBy('name');
  if ('names' in where) {
    if (where.names.length === 0) return [];
    query = query.where('name', 'in', [...where.names]);
  } else if ('dn' in where) {
    query = query.where('dn', '=', where.dn);
  }
  const users = await query.execute();
  if (users.length === 0) return [];
  const memberships = await db
    .selectFrom('group_members')
    .select(['user_name', 'group_name'])
    .where('user_name', 'in', users.map((u) => u.name))
    .orderBy('group_name')
    .execute();
  const groups = new Map<string, string[]>();
  for (const m of memberships) groups.set(m.user_name, [...(groups.get(m.user_name) ?? []), m.group_name]);
  return users.map((u) => ({
    name: u.name,
    dn: u.dn,
    admin: u.admin,
    disabled: u.disabled,
    groups: groups.get(u.name) ?? [],
    ctime: u.ctime,
    passwordHash: u.password_hash,
  }));
}

/**
 * One account with its groups, in one statement: every Basic request reads it (the remembered
 * password is checked against its hash), so it costs one round trip, not two.
 */
export async function accountForLogin(db: Queryable, name: string): Promise<AccountRecord | undefined> {
  const row = await db.selectFrom('users').select(accountColumns).where('users.name', '=', name).executeTakeFirst();
  return row === undefined ? undefined : accountOfRow(row);
}

/**
 * The account a live bearer token belongs to, with its groups, and when the token expires, in one
 * statement: every API request with a token not in the authenticator's cache asks this first, so it
 * costs one round trip, not three.
 */
export async function accountOfToken(db: Queryable, tokenHash: string, now: Date): Promise<(AccountRecord & { readonly tokenExpires: Date }) | undefined> {
  const row = await db
    .selectFrom('tokens')
    .innerJoin('users', 'users.name', 'tokens.user_name')
    .select([...accountColumns, 'tokens.expires'])
    .where('tokens.token_hash', '=', tokenHash)
    .where('tokens.expires', '>', now)
    .executeTakeFirst();
  return row === undefined ? undefined : { ...accountOfRow(row), tokenExpires: row.expires };
}

/** The columns of one account with its groups, for the one-statement lookups above. */
const accountColumns = [
  'users.name',
  'users.dn',
  'users.admin',
  'users.disabled',
  'users.ctime',
  'users.password_hash',
  sql<string[]>`array(SELECT group_name FROM group_members WHERE user_name = users.name ORDER BY group_name)`.as('groups'),
] as const;

interface AccountRow {
  readonly name: string;
  readonly dn: string | null;
  readonly admin: boolean;
  readonly disabled: boolean;
  readonly ctime: Date;
  readonly password_hash: string | null;
  readonly groups: string[];
}

function accountOfRow(row: AccountRow): AccountRecord {
  return { name: row.name, dn: row.dn, admin: row.admin, disabled: row.disabled, groups: row.groups, ctime: row.ctime, passwordHash: row.password_hash };
}

export function publicAccount(record: AccountRecord): Account {
  const { passwordHash: _, ...account } = record;
  return account;
}
