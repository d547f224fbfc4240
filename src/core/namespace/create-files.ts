import { parseChecksum, parseSize, type Checksum } from '../checksum';
import { checkBulkSize, type CatalogContext } from '../context';
import type { FileEntry } from '../entry';
import { CatalogError, Exists, InvalidArgument } from '../errors';
import { parseItems } from '../parse-items';
import { newGuid, parseGuid, type Guid } from '../names/guid';
import { parseNewLfn } from '../names/lfn';
import type { NameSettings } from '../names/name-settings';
import { parseSurl, type ParsedSurl } from '../names/surl';
import { insertReplicas, type NewReplica } from '../replicas/replica-rows';
import { ResultSlots, type Result } from '../result';
import { inTransaction } from '../../db/transaction';
import { anyUuid } from '../../db/sql-helpers';
import { refusedUnregistered } from '../storage/unregistered-surls';
import { createUnderParents, type CreateSpec } from './create-under-parents';

export interface CreateFileItem {
  readonly lfn: string;
  readonly guid?: string;
  readonly size?: number;
  readonly checksum?: { readonly type: string; readonly value: string };
  readonly replicas?: readonly { readonly surl: string; readonly master?: boolean }[];
}

interface ParsedFile {
  readonly spec: CreateSpec;
  readonly guid: Guid;
  readonly replicas: readonly (ParsedSurl & { readonly master: boolean })[];
}

/**
 * Registers files, each with its GUID (given or generated), size, checksum and initial replicas.
 * Each item is all or nothing: a file whose replica cannot be registered (its SURL belongs to another
 * file) is not created either. A handful of statements for the whole request.
 */
export async function createFiles(ctx: CatalogContext, items: readonly CreateFileItem[]): Promise<Result<FileEntry>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item, index) => parseFileItem(item, index, ctx.names));

  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<FileEntry>(items.length);
    const files: ParsedFile[] = [];
    parsed.forEach((p, i) => (p instanceof CatalogError ? slots.fail(i, p) : files.push(p)));

    // A SURL named by two items of one request: the first item keeps it, the later one fails whole.
    const claimed = new Set<string>();
    const unregistered = await refusedUnregistered(ctx, trx, files.flatMap((f) => f.replicas));
    const admitted = files.filter((file) => {
      const offSite = file.replicas.find((r) => unregistered.has(r.surl));
      if (offSite) {
        slots.fail(file.spec.index, unregistered.get(offSite.surl)!);
        return false;
      }
      const taken = file.replicas.find((r) => claimed.has(r.surl));
      if (taken) {
        slots.fail(file.spec.index, new Exists(`SURL already registered: ${taken.surl} (earlier in this request)`));
        return false;
      }
      for (const r of file.replicas) claimed.add(r.surl);
      return true;
    });

    const created = await createUnderParents(trx, ctx, admitted.map((f) => f.spec), slots);

    const replicas: NewReplica[] = [];
    for (const file of admitted) {
      if (!created.has(file.spec.index)) continue;
      for (const r of file.replicas) replicas.push({ guid: file.guid, surl: r.surl, se: r.se, master: r.master });
    }
    const insertedSurls = await insertReplicas(trx, replicas);

    // Undo, inside this transaction, the files whose replicas did not all go in: nobody ever sees them.
    const undone: string[] = [];
    for (const file of admitted) {
      const entry = created.get(file.spec.index);
      if (entry === undefined) continue;
      const refused = file.replicas.find((r) => !insertedSurls.has(r.surl));
      if (refused) {
        undone.push(entry.id);
        slots.fail(file.spec.index, new Exists(`SURL already registered: ${refused.surl}`));
      } else if (entry.kind === 'file') slots.succeed(file.spec.index, entry);
    }
    if (undone.length > 0) await trx.deleteFrom('entries').where('id', '=', anyUuid(undone)).execute();
    return slots.toArray();
  });
}

function parseFileItem(item: CreateFileItem, index: number, names: NameSettings | undefined): ParsedFile {
  const lfn = parseNewLfn(item.lfn, names);
  const guid = item.guid === undefined ? newGuid() : parseGuid(item.guid);
  const size = item.size === undefined ? null : parseSize(item.size);
  const checksum: Checksum | null = item.checksum === undefined ? null : parseChecksum(item.checksum);
  const replicas = (item.replicas ?? []).map((r) => ({ ...parseSurl(r.surl), master: r.master === true }));
  const masters = replicas.filter((r) => r.master).length;
  if (masters > 1) throw new InvalidArgument(`at most one replica may be the master (${masters} are marked)`);
  const seen = new Set<string>();
  for (const r of replicas) {
    if (seen.has(r.surl)) throw new InvalidArgument(`SURL listed twice for one file: ${r.surl}`);
    seen.add(r.surl);
  }
  // Without an explicit master, the first replica registered is the master.
  const first = replicas[0];
  if (masters === 0 && first) replicas[0] = { ...first, master: true };
  return {
    guid,
    replicas,
    spec: {
      index,
      lfn,
      payload: {
        kind: 'file',
        guid,
        target: null,
        size,
        checksumType: checksum?.type ?? null,
        checksum: checksum?.value ?? null,
      },
    },
  };
}
