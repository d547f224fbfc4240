import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/schema';
import { hashPassword, verifyPassword } from './password-hash';

/**
 * On a catalog without any user, creates `admin` with the given password, or a generated one that
 * the caller prints once. Safe when several instances start together: only one insert wins, and only
 * the winner learns (and prints) the generated password.
 *
 * On a catalog that has users, a given password is applied to an existing `admin` that has another one
 * (`applied`), revoking admin's tokens as a password change does: the environment says what admin's
 * password is, and a start that silently kept the old one left every README command answering 401.
 */
export async function bootstrapAdmin(db: Db, password: string | undefined): Promise<{ created: boolean; generated?: string; applied?: boolean }> {
  const existing = await db.selectFrom('users').select('name').limit(1).executeTakeFirst();
  if (existing !== undefined) return password === undefined ? { created: false } : { created: false, applied: await applyPassword(db, password) };
  const generated = password === undefined ? randomBytes(18).toString('base64url') : undefined;
  const hash = await hashPassword(password ?? generated!);
  const inserted = (
    await sql<{ name: string }>`
      INSERT INTO users (name, password_hash, admin)
      SELECT 'admin', ${hash}, true WHERE NOT EXISTS (SELECT 1 FROM users)
      ON CONFLICT DO NOTHING RETURNING name`.execute(db)
  ).rows[0];
  if (inserted === undefined) return { created: false };
  return generated === undefined ? { created: true } : { created: true, generated };
}

async function applyPassword(db: Db, password: string): Promise<boolean> {
  const admin = await db.selectFrom('users').select('password_hash').where('name', '=', 'admin').executeTakeFirst();
  if (admin === undefined) return false;
  if (admin.password_hash !== null && (await verifyPassword(password, admin.password_hash))) return false;
  const hash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash }).where('name', '=', 'admin').execute();
    await trx.deleteFrom('tokens').where('user_name', '=', 'admin').execute();
  });
  return true;
}
