import * as core from '../../core';
import type { CatalogContext } from '../../core/context';
import type { Entry } from '../../core/entry';
import { readDirectory } from '../../core/namespace/read-directory';
import { removeDirectories, unlinkEntries } from '../../core/namespace/remove-by-kind';
import { removeReplicasAndEmptyFiles } from '../../core/replicas/remove-replicas-and-files';
import { statGuids } from '../../core/replicas/stat-guids';
import { changeAll, readAll } from '../all-or-nothing';
import type { Parts } from '../decode-parts';
import { decodeFcEntry, decodeFrcEntry, decodeFullPair, decodeItems, decodeSurlEntry } from '../decode-types';
import { fcEntry, frcEntry, rcEntry, stat, stringPair, type EncodeOptions } from '../encode-types';
import type { Returned } from '../envelope';
import { NS } from '../namespaces';
import type { OperationDefinition, PartDefinition, PortDefinition } from '../operation';
import type { WireType } from '../wire-types';
import { itemArray } from '../xml-writer';
import { serviceBaseOperations } from './service-base';

const STRINGS: WireType = 'impl:ArrayOf_soapenc_string';
const PAIRS: WireType = 'impl:ArrayOf_tns1_StringPair';
const part = (name: string, type: WireType): PartDefinition => ({ name, type });
const VOID: Returned = undefined;
const WITH_PERMISSIONS: EncodeOptions = { withPermissions: true };

/** An operation that declares the five CatalogException faults. */
function op(name: string, parts: readonly PartDefinition[], returns: WireType | null, run: OperationDefinition['run']): OperationDefinition {
  return { name, parts, returns, faults: true, run };
}

const array = <T>(values: readonly T[], encode: (value: T, index: number) => string): Returned => ({ content: itemArray(values, encode) });
/** StringPairs keyed by what the caller sent (string1), as the 2.0.0 interface returns them. */
const pairs = (keys: readonly string[], values: readonly (string | null)[]): Returned => array(keys, (key, i) => stringPair(key, values[i]!));

/** FCEntry of each LFN, symlinks followed; the key returned is the LFN as the caller wrote it. */
async function fileCatalogEntries(ctx: CatalogContext, parts: Parts): Promise<Returned> {
  const lfns = parts.strings('lfns');
  const entries = await readAll(ctx, core.statEntries, lfns.map((lfn) => ({ lfn })), (i) => i.lfn);
  return array(entries, (entry: Entry, i) => fcEntry(lfns[i]!, entry, WITH_PERMISSIONS));
}

/** Replicas and file data of files named by LFN or GUID, both read before anything is written out. */
async function filesWithReplicas(ctx: CatalogContext, targets: readonly core.ListReplicasItem[], keys: readonly string[]) {
  const lists = await readAll(ctx, core.listReplicas, targets, (i) => i.lfn ?? i.guid ?? '');
  const files = await readAll(ctx, statGuids, lists.map((l) => ({ guid: l.guid })), (i) => `guid:${i.guid}`);
  return lists.map((list, i) => ({ key: keys[i]!, file: files[i]!, replicas: list.replicas }));
}

const fileCatalogOperations: OperationDefinition[] = [
  op('createFile', [part('entries', 'impl:ArrayOf_tns1_FCEntry')], null, async ({ ctx, parts }) => {
    await changeAll(ctx, core.createFiles, decodeItems(parts, 'entries', decodeFcEntry), (i) => i.lfn);
    return VOID;
  }),
  op('getFileCatalogEntry', [part('lfns', STRINGS)], 'impl:ArrayOf_tns1_FCEntry', ({ ctx, parts }) => fileCatalogEntries(ctx, parts)),
  op('getGuidForLfn', [part('lfns', STRINGS)], PAIRS, async ({ ctx, parts }) => {
    const lfns = parts.strings('lfns');
    const found = await readAll(ctx, core.lookupGuids, lfns.map((lfn) => ({ lfn })), (i) => i.lfn);
    return pairs(lfns, found.map((f) => f.guid));
  }),
  op('getLfnForGuid', [part('guids', STRINGS)], PAIRS, async ({ ctx, parts }) => {
    const guids = parts.strings('guids');
    const files = await readAll(ctx, statGuids, guids.map((guid) => ({ guid })), (i) => i.guid);
    return pairs(guids, files.map((f) => f.lfn));
  }),
  op(
    'mkdir',
    [part('directories', STRINGS), part('createParents', 'xsd:boolean'), part('copyPermFromParent', 'xsd:boolean')],
    null,
    async ({ ctx, parts }) => {
      const parents = parts.boolean('createParents', false);
      await changeAll(ctx, core.makeDirectories, parts.strings('directories').map((lfn) => ({ lfn, parents })), (i) => i.lfn);
      return VOID;
    },
  ),
  op('mv', [part('entries', PAIRS)], null, async ({ ctx, parts }) => {
    const moves = decodeItems(parts, 'entries', decodeFullPair).map((p) => ({ from: p.string1, to: p.string2 }));
    await changeAll(ctx, core.moveEntries, moves, (i) => `${i.from} → ${i.to}`);
    return VOID;
  }),
  op(
    'readDir',
    [
      part('path', 'soapenc:string'),
      part('pattern', 'soapenc:string'),
      part('limit', 'xsd:long'),
      part('offset', 'xsd:long'),
      part('withPermissions', 'xsd:boolean'),
    ],
    'impl:ArrayOf_tns1_FCEntry',
    async ({ ctx, parts }) => {
      const options = { withPermissions: parts.boolean('withPermissions', false) };
      const entries = await readDirectory(ctx, parts.string('path'), {
        pattern: parts.optionalString('pattern'),
        limit: parts.integer('limit') ?? ctx.limits.defaultPageSize,
        offset: parts.integer('offset') ?? 0,
      });
      return array(entries, (entry) => fcEntry(entry.lfn, entry, options));
    },
  ),
  op('rmdir', [part('directories', STRINGS)], null, async ({ ctx, parts }) => {
    await changeAll(ctx, removeDirectories, parts.strings('directories').map((lfn) => ({ lfn })), (i) => i.lfn);
    return VOID;
  }),
  op('symlink', [part('symlinks', PAIRS), part('copyPermFromParent', 'xsd:boolean')], null, async ({ ctx, parts }) => {
    // string1 is the existing LFN the link points to, string2 the new link (see wsdl/README.md).
    const links = decodeItems(parts, 'symlinks', decodeFullPair).map((p) => ({ lfn: p.string2, target: p.string1 }));
    await changeAll(ctx, core.createSymlinks, links, (i) => i.lfn);
    return VOID;
  }),
  op('unlink', [part('lfns', STRINGS)], null, async ({ ctx, parts }) => {
    await changeAll(ctx, unlinkEntries, parts.strings('lfns').map((lfn) => ({ lfn })), (i) => i.lfn);
    return VOID;
  }),
];

const firemanOperations: OperationDefinition[] = [
  op('addReplica', [part('lfn', 'soapenc:string'), part('newSurls', 'impl:ArrayOf_tns1_SURLEntry')], null, async ({ ctx, parts }) => {
    const lfn = parts.string('lfn');
    const items = decodeItems(parts, 'newSurls', decodeSurlEntry).map((s) => ({ lfn, surl: s.surl, master: s.master }));
    await changeAll(ctx, core.addReplicas, items, (i) => i.surl);
    return VOID;
  }),
  op('create', [part('entries', 'impl:ArrayOf_tns1_FRCEntry')], null, async ({ ctx, parts }) => {
    await changeAll(ctx, core.createFiles, decodeItems(parts, 'entries', decodeFrcEntry), (i) => i.lfn);
    return VOID;
  }),
  op('getStat', [part('lfns', STRINGS)], 'impl:ArrayOf_tns1_Stat', async ({ ctx, parts }) => {
    const entries = await readAll(ctx, core.statEntries, parts.strings('lfns').map((lfn) => ({ lfn })), (i) => i.lfn);
    return array(entries, stat);
  }),
  op('listLfn', [part('surls', STRINGS)], PAIRS, async ({ ctx, parts }) => {
    const surls = parts.strings('surls');
    const found = await readAll(ctx, core.lookupGuids, surls.map((surl) => ({ surl })), (i) => i.surl);
    return pairs(surls, found.map((f) => f.lfn));
  }),
  op('listReplicas', [part('lfns', STRINGS), part('withPermissions', 'xsd:boolean')], 'impl:ArrayOf_tns1_FRCEntry', async ({ ctx, parts }) => {
    const lfns = parts.strings('lfns');
    const options = { withPermissions: parts.boolean('withPermissions', false) };
    const found = await filesWithReplicas(ctx, lfns.map((lfn) => ({ lfn })), lfns);
    return array(found, (f) => frcEntry(f.key, f.file, f.replicas, options));
  }),
  op('remove', [part('lfns', STRINGS)], null, async ({ ctx, parts }) => {
    await changeAll(ctx, unlinkEntries, parts.strings('lfns').map((lfn) => ({ lfn })), (i) => i.lfn);
    return VOID;
  }),
  op('removeReplica', [part('lfnSurls', PAIRS), part('removeLfnOnLastReplica', 'xsd:boolean')], null, async ({ ctx, parts }) => {
    const items = decodeItems(parts, 'lfnSurls', decodeFullPair).map((p) => ({ lfn: p.string1, surl: p.string2 }));
    const prune = parts.boolean('removeLfnOnLastReplica', false);
    await changeAll(ctx, (c, i) => removeReplicasAndEmptyFiles(c, i, prune), items, (i) => `${i.lfn} ${i.surl}`);
    return VOID;
  }),
  // The 2004 interface's name for getFileCatalogEntry, kept for old clients (2.0.0 type codes).
  op('getLfnStat', [part('lfns', STRINGS)], 'impl:ArrayOf_tns1_FCEntry', ({ ctx, parts }) => fileCatalogEntries(ctx, parts)),
];

const replicaCatalogOperations: OperationDefinition[] = [
  op('getGuidForSurl', [part('surls', STRINGS)], PAIRS, async ({ ctx, parts }) => {
    const surls = parts.strings('surls');
    const found = await readAll(ctx, core.lookupGuids, surls.map((surl) => ({ surl })), (i) => i.surl);
    return pairs(surls, found.map((f) => f.guid));
  }),
  op('getMasterReplica', [part('guids', STRINGS)], PAIRS, async ({ ctx, parts }) => {
    const guids = parts.strings('guids');
    const lists = await readAll(ctx, core.listReplicas, guids.map((guid) => ({ guid })), (i) => i.guid);
    // A file without replicas has no master: string2 is nil rather than a fault for the whole call.
    return pairs(guids, lists.map((list) => list.replicas.find((r) => r.master)?.surl ?? null));
  }),
  op('listReplicasByGuid', [part('guids', STRINGS), part('withPermissions', 'xsd:boolean')], 'impl:ArrayOf_tns1_RCEntry', async ({ ctx, parts }) => {
    const guids = parts.strings('guids');
    const options = { withPermissions: parts.boolean('withPermissions', false) };
    const found = await filesWithReplicas(ctx, guids.map((guid) => ({ guid })), guids);
    return array(found, (f) => rcEntry(f.key, f.file, f.replicas, options));
  }),
  op('setMasterReplica', [part('guidSurls', PAIRS)], null, async ({ ctx, parts }) => {
    const items = decodeItems(parts, 'guidSurls', decodeFullPair).map((p) => ({ guid: p.string1, surl: p.string2 }));
    await changeAll(ctx, core.setMasterReplicas, items, (i) => `${i.guid} ${i.surl}`);
    return VOID;
  }),
];

/** FiremanCatalog: FileCatalog + ReplicaCatalog + its own operations, over the same core as REST. */
export const FIREMAN_CATALOG: PortDefinition = {
  name: 'FiremanCatalog',
  namespace: NS.fireman,
  interfaceVersion: '2.0.0',
  wsdlFile: 'org.glite.data-fireman-2.0.0.wsdl',
  operations: [
    ...serviceBaseOperations(() => FIREMAN_CATALOG),
    ...fileCatalogOperations,
    ...firemanOperations,
    ...replicaCatalogOperations,
  ],
};
