import { sql } from 'kysely';
import { inTransaction } from '../../db/transaction';
import { Access } from '../access/access';
import { parseChecksum, parseSize, type Checksum } from '../checksum';
import { checkBulkSize, type CatalogContext } from '../context';
import { toEntry, type EntryRow, type FileEntry } from '../entry';
import { CatalogError, InvalidArgument, NotExists } from '../errors';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { parseFileTarget, resolveFileTargets, type FileTarget } from './file-target';
import { lockFiles } from './replica-rows';

export interface UpdateFileStatItem {
  readonly lfn?: string;
  readonly guid?: string;
  /** New size in bytes; absent leaves it. */
  readonly size?: number;
  /** New checksum; absent leaves it. */
  readonly checksum?: { readonly type: string; readonly value: string };
}

interface Parsed {
  readonly target: FileTarget;
  readonly size: number | null;
  readonly checksum: Checksum | null;
}

/**
 * Sets the size and/or checksum of files named by LFN (links followed) or GUID. Needs `write` on each
 * file and the way to it. Set-based: the files are found in a few queries, locked, and updated in one
 * statement; the modification time becomes now. When one file is named twice, the later item wins for
 * what it sets.
 */
export async function updateFileStats(ctx: CatalogContext, items: readonly UpdateFileStatItem[]): Promise<Result<FileEntry>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item): Parsed => {
    const size = item.size === undefined ? null : parseSize(item.size);
    const checksum = item.checksum === undefined ? null : parseChecksum(item.checksum);
    if (size === null && checksum === null) throw new InvalidArgument('give a size, a checksum or both');
    return { target: parseFileTarget(item), size, checksum };
  });
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<FileEntry>(items.length);
    const valid = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, ...p }]));
    const files = await resolveFileTargets(trx, valid.map((v) => v.target), new Access({ ...ctx, db: trx }), 'write', 'update-file-stat');
    const changes = new Map<string, { id: string; size: number | null; checksum: Checksum | null }>();
    const done: { index: number; id: string }[] = [];
    valid.forEach((v, k) => {
      const file = files[k]!;
      if (!file.ok) return slots.fail(v.index, file.error);
      const before = changes.get(file.value.id);
      changes.set(file.value.id, { id: file.value.id, size: v.size ?? before?.size ?? null, checksum: v.checksum ?? before?.checksum ?? null });
      done.push({ index: v.index, id: file.value.id });
    });
    if (changes.size > 0) {
      await lockFiles(trx, files.flatMap((f) => (f.ok ? [f.value.guid] : [])));
      const json = JSON.stringify([...changes.values()].map((c) => ({ id: c.id, size: c.size, ct: c.checksum?.type ?? null, cv: c.checksum?.value ?? null })));
      const rows = await sql<EntryRow>`
        UPDATE entries e SET
          size = COALESCE(u.size, e.size),
          checksum_type = CASE WHEN u.ct IS NULL THEN e.checksum_type ELSE u.ct END,
          checksum = CASE WHEN u.ct IS NULL THEN e.checksum ELSE u.cv END,
          mtime = now()
        FROM json_to_recordset(${json}::json) AS u(id uuid, size int8, ct text, cv text)
        WHERE e.id = u.id AND e.kind = 'file'
        RETURNING e.*`.execute(trx);
      const after = new Map(rows.rows.map((row) => [row.id, toEntry(row)]));
      for (const d of done) {
        const entry = after.get(d.id);
        if (entry?.kind === 'file') slots.succeed(d.index, entry);
        else slots.fail(d.index, new NotExists('no such file (removed concurrently)'));
      }
    }
    return slots.toArray();
  });
}
