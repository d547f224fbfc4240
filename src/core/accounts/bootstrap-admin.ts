import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/schema';
import { hashPassword } from './password-hash';

/**
 * On a catalog without any user, creates `admin` with the given password, or a generated one that
 * the caller prints once. Safe when several instances start together: only one insert wins, and only
 * the winner learns (and prints) the generated password.
 */
export async function bootstrapAdmin(db: Db, password: string | undefined): Promise<{ created: boolean; generated?: string }> {
  const existing = await db.selectFrom('users').select('name').limit(1).executeTakeFirst();
  if (existing !== undefined) return { created: false };
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
