import { randomBytes } from 'node:crypto';
import type { Db } from '../db/schema';
import { CursorKey } from './cursor';

/**
 * The catalog's cursor key, read from the database at start-up; the first instance to start creates it
 * (a racing second one keeps the first one's), so every instance over one database seals alike.
 *
 * ```ts
 * const cursorKey = await loadCursorKey(database.db);
 * ```
 */
export async function loadCursorKey(db: Db): Promise<CursorKey> {
  await db
    .insertInto('service_secrets')
    .values({ name: 'cursor', secret: randomBytes(32) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('service_secrets').select('secret').where('name', '=', 'cursor').executeTakeFirstOrThrow();
  return new CursorKey(row.secret);
}
