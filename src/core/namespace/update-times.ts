import { sql } from 'kysely';
import { inTransaction } from '../../db/transaction';
import { Access } from '../access/access';
import { checkBulkSize, type CatalogContext } from '../context';
import { toEntry, type Entry, type EntryRow } from '../entry';
import { CatalogError, InvalidArgument, NotExists } from '../errors';
import { parseLfn } from '../names/lfn';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { resolvePaths } from './resolve';

export interface UpdateTimesItem {
  readonly lfn: string;
  /** New modification time, milliseconds since the epoch. */
  readonly mtime?: number;
  /**
   * New validity, as Fireman's LFNStat.validityTime: milliseconds after the entry's creation time; 0 means
   * the entry never expires.
   */
  readonly validityMs?: number;
}

// Postgres timestamps reach year 294276; keep to what a JavaScript Date can hold exactly.
const MAX_MS = 8.64e15;

function milliseconds(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_MS) throw new InvalidArgument(`${what} must be a non-negative integer of milliseconds`);
  return value;
}

/**
 * Sets the modification time and/or the validity of entries (links followed). Needs `write` on each
 * entry and the way to it. Set-based: entries resolved in a few queries, updated in one statement;
 * when one entry is named twice, the later item wins.
 */
export async function updateEntryTimes(ctx: CatalogContext, items: readonly UpdateTimesItem[]): Promise<Result<Entry>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => {
    const mtime = item.mtime === undefined ? null : milliseconds(item.mtime, 'the modify time');
    const validityMs = item.validityMs === undefined ? null : milliseconds(item.validityMs, 'the validity time');
    if (mtime === null && validityMs === null) throw new InvalidArgument('give a modify time, a validity time or both');
    return { lfn: parseLfn(item.lfn), mtime, validityMs };
  });
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<Entry>(items.length);
    const access = new Access({ ...ctx, db: trx });
    const live = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, ...p }]));
    const resolved = await resolvePaths(trx, live.map((l) => l.lfn), true, access);
    const changes = new Map<string, { id: string; mtime: number | null; validity_ms: number | null }>();
    const done: { index: number; id: string }[] = [];
    live.forEach((l, k) => {
      const result = resolved[k]!;
      if (!result.ok) return slots.fail(l.index, result.error);
      const denied = access.deny(result.value, 'write', 'update-times');
      if (denied) return slots.fail(l.index, denied);
      const before = changes.get(result.value.id);
      changes.set(result.value.id, { id: result.value.id, mtime: l.mtime ?? before?.mtime ?? null, validity_ms: l.validityMs ?? before?.validity_ms ?? null });
      done.push({ index: l.index, id: result.value.id });
    });
    if (changes.size > 0) {
      const json = JSON.stringify([...changes.values()]);
      const rows = await sql<EntryRow>`
        UPDATE entries e SET
          mtime = CASE WHEN u.mtime IS NULL THEN e.mtime ELSE timestamptz 'epoch' + u.mtime * interval '1 millisecond' END,
          validity = CASE
            WHEN u.validity_ms IS NULL THEN e.validity
            WHEN u.validity_ms = 0 THEN NULL
            ELSE e.ctime + u.validity_ms * interval '1 millisecond' END
        FROM json_to_recordset(${json}::json) AS u(id uuid, mtime int8, validity_ms int8)
        WHERE e.id = u.id
        RETURNING e.*`.execute(trx);
      const after = new Map(rows.rows.map((row) => [row.id, toEntry(row)]));
      for (const d of done) {
        const entry = after.get(d.id);
        if (entry) slots.succeed(d.index, entry);
        else slots.fail(d.index, new NotExists('no such entry (removed concurrently)'));
      }
    }
    return slots.toArray();
  });
}
