import { reading } from '../../db/transaction';
import { anyText } from '../../db/sql-helpers';
import { Access } from '../access/access';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError, InvalidArgument, NotExists } from '../errors';
import type { Guid } from '../names/guid';
import { parseLfn, type Lfn } from '../names/lfn';
import { parseSurl } from '../names/surl';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { ENTRY_HEADS } from '../namespace/lookup';
import { resolveFileTargetsReading, type FileTarget } from './file-target';

export type GuidLookupItem = { readonly lfn: string; readonly surl?: undefined } | { readonly surl: string; readonly lfn?: undefined };

export interface GuidLookup {
  readonly guid: Guid;
  /** The file's LFN (given for SURL lookups; for LFN lookups, the LFN of the file after links). */
  readonly lfn: Lfn;
}

type Key = { readonly by: 'lfn'; readonly lfn: Lfn } | { readonly by: 'surl'; readonly surl: string };

/** LFN → GUID and SURL → GUID (and LFN), in bulk. */
export async function lookupGuids(ctx: CatalogContext, items: readonly GuidLookupItem[]): Promise<Result<GuidLookup>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item): Key => {
    if (item.lfn !== undefined && item.surl !== undefined) throw new InvalidArgument('give either lfn or surl, not both');
    if (item.lfn !== undefined) return { by: 'lfn', lfn: parseLfn(item.lfn) };
    if (item.surl !== undefined) return { by: 'surl', surl: parseSurl(item.surl).surl };
    throw new InvalidArgument('give lfn or surl');
  });
  const slots = new ResultSlots<GuidLookup>(items.length);
  const byLfn: { index: number; lfn: Lfn }[] = [];
  const bySurl: { index: number; surl: string }[] = [];
  parsed.forEach((p, index) => {
    if (p instanceof CatalogError) slots.fail(index, p);
    else if (p.by === 'lfn') byLfn.push({ index, lfn: p.lfn });
    else bySurl.push({ index, surl: p.surl });
  });
  await reading(async () => {
    // A SURL names a file by its GUID; from there both kinds of item are checked and answered alike.
    const rows =
      bySurl.length === 0
        ? []
        : await ctx.db.selectFrom('replicas').select(['surl', 'guid']).where('surl', '=', anyText(bySurl.map((k) => k.surl))).execute();
    const guidOfSurl = new Map(rows.map((row) => [row.surl, row.guid as Guid]));
    const keyed = [
      ...byLfn.map((k) => ({ index: k.index, target: { by: 'lfn', lfn: k.lfn } as FileTarget })),
      ...bySurl.flatMap((k) => {
        const guid = guidOfSurl.get(k.surl);
        if (guid === undefined) {
          slots.fail(k.index, new NotExists(`no such SURL: ${k.surl}`));
          return [];
        }
        return [{ index: k.index, target: { by: 'guid', guid, surl: k.surl } as FileTarget }];
      }),
    ];
    const files = await resolveFileTargetsReading(ENTRY_HEADS, ctx.db, keyed.map((k) => k.target), new Access(ctx), 'read', 'lookup-guid');
    keyed.forEach((k, i) => {
      const file = files[i]!;
      if (file.ok) slots.succeed(k.index, { guid: file.value.guid, lfn: file.value.lfn });
      else slots.fail(k.index, file.error);
    });
  });
  return slots.toArray();
}
