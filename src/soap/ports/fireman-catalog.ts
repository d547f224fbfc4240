import * as core from '../../core';
import type { CatalogContext } from '../../core/context';
import type { Entry } from '../../core/entry';
import { readDirectory } from '../../core/namespace/read-directory';
import { removeDirectories, unlinkEntries } from '../../core/namespace/remove-by-kind';
import { removeReplicasAndEmptyFiles } from '../../core/replicas/remove-replicas-and-files';
import { statGuids } from '../../core/replicas/stat-guids';
import { changeAll, readAll } from '../all-or-nothing';
import type { Parts } from '../decode-parts';
import { decodeFcEntry, decodeFrcEntry, decodeFullPair, decodeGuidStatUpdate, decodeItems, decodeSurlEntry } from '../decode-types';
import { fcEntry, frcEntry, guidStat, permissionStruct, rcEntry, stat, stringBoolean, stringPair, surlEntry, type EncodeOptions } from '../encode-types';
import type { Returned } from '../envelope';
import { NS } from '../namespaces';
import type { OperationDefinition, PartDefinition, PortDefinition } from '../operation';
import type { WireType } from '../wire-types';
import { escapeXml, itemArray } from '../xml-writer';
import { fasBaseOperations } from './fas-base';
import { metadataBaseOperations } from './metadata-base';
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
  op('locate', [part('startDir', 'soapenc:string'), part('pattern', 'soapenc:string'), part('limit', 'xsd:long')], STRINGS, async ({ ctx, parts }) => {
    const found = await core.locateEntries(ctx, parts.string('startDir'), {
      pattern: parts.optionalString('pattern') ?? '',
      limit: requiredInteger(parts, 'limit'),
    });
    return array(found, (entry) => escapeXml(entry.lfn));
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
  op('updateModifyTime', [part('lfns', STRINGS), part('time', 'xsd:long')], null, async ({ ctx, parts }) => {
    const mtime = requiredInteger(parts, 'time');
    await changeAll(ctx, core.updateEntryTimes, parts.strings('lfns').map((lfn) => ({ lfn, mtime })), (i) => i.lfn);
    return VOID;
  }),
  op('updateValidityTime', [part('lfns', STRINGS), part('time', 'xsd:long')], null, async ({ ctx, parts }) => {
    const validityMs = requiredInteger(parts, 'time');
    await changeAll(ctx, core.updateEntryTimes, parts.strings('lfns').map((lfn) => ({ lfn, validityMs })), (i) => i.lfn);
    return VOID;
  }),
];

function requiredInteger(parts: Parts, name: string): number {
  const value = parts.integer(name);
  if (value === null) throw new core.InvalidArgument(`missing argument: ${name}`);
  return value;
}

const firemanOperations: OperationDefinition[] = [
  op('addReplica', [part('lfn', 'soapenc:string'), part('newSurls', 'impl:ArrayOf_tns1_SURLEntry')], null, async ({ ctx, parts }) => {
    const lfn = parts.string('lfn');
    const items = decodeItems(parts, 'newSurls', decodeSurlEntry).map((s) => ({ lfn, surl: s.surl, master: s.master }));
    await changeAll(ctx, core.addReplicas, items, (i) => i.surl);
    return VOID;
  }),
  op('associateDirWithSchema', [part('directoryLfn', 'soapenc:string'), part('schemaName', 'soapenc:string')], null, async ({ ctx, parts }) => {
    const items = [{ lfn: parts.string('directoryLfn'), schema: parts.string('schemaName') }];
    await changeAll(ctx, (c, i: readonly core.BindSchemaItem[]) => core.bindSchemas(c, i, { directoriesOnly: true }), items, (i) => i.lfn);
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
  op('addGuidReplica', [part('guid', 'soapenc:string'), part('newSurls', 'impl:ArrayOf_tns1_SURLEntry')], null, async ({ ctx, parts }) => {
    const guid = parts.string('guid');
    const items = decodeItems(parts, 'newSurls', decodeSurlEntry).map((s) => ({ guid, surl: s.surl, master: s.master }));
    await changeAll(ctx, core.addReplicas, items, (i) => i.surl);
    return VOID;
  }),
  op('getDefaultGlobalPermission', [], 'tns1:Permission', async () => ({ content: permissionStruct(core.defaultGlobalPermission()) })),
  op('getDefaultPrincipalPermission', [part('principal', 'soapenc:string')], 'tns1:Permission', async ({ ctx, parts }) => ({
    content: permissionStruct(core.defaultPrincipalPermission(ctx, parts.string('principal'))),
  })),
  op('getGuidStat', [part('guids', STRINGS)], 'impl:ArrayOf_tns1_GUIDStat', async ({ ctx, parts }) => {
    const files = await readAll(ctx, core.statGuids, parts.strings('guids').map((guid) => ({ guid })), (i) => i.guid);
    return array(files, guidStat);
  }),
  op('getSurlStat', [part('surls', STRINGS)], 'impl:ArrayOf_tns1_SURLEntry', async ({ ctx, parts }) => {
    const surls = parts.strings('surls');
    const replicas = await readAll(ctx, core.statSurls, surls.map((surl) => ({ surl })), (i) => i.surl);
    return array(replicas, (r, i) => surlEntry(r, surls[i]!));
  }),
  op('hasGuid', [part('guids', STRINGS)], 'impl:ArrayOf_tns1_StringBoolean', async ({ ctx, parts }) => {
    const guids = parts.strings('guids');
    const found = await readAll(ctx, core.guidsExist, guids.map((guid) => ({ guid })), (i) => i.guid);
    return array(found, (exists, i) => stringBoolean(guids[i]!, exists));
  }),
  op('listSurlsByGuid', [part('guids', STRINGS)], PAIRS, async ({ ctx, parts }) => {
    const guids = parts.strings('guids');
    const lists = await readAll(ctx, core.listReplicas, guids.map((guid) => ({ guid })), (i) => i.guid);
    // One pair per replica, master first; a file without replicas still answers its key, with string2 nil.
    const flat: [string, string | null][] = lists.flatMap((list, i): [string, string | null][] =>
      list.replicas.length === 0 ? [[guids[i]!, null]] : list.replicas.map((r): [string, string | null] => [guids[i]!, r.surl]),
    );
    return array(flat, ([guid, surl]) => stringPair(guid, surl));
  }),
  op('removeGuid', [part('guids', STRINGS)], null, async ({ ctx, parts }) => {
    await changeAll(ctx, core.removeGuids, parts.strings('guids').map((guid) => ({ guid })), (i) => i.guid);
    return VOID;
  }),
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
  // Named here (the ReplicaCatalog list is cut off): size and checksum of files by GUID (wsdl/README.md).
  op('updateGuidStat', [part('entries', 'impl:ArrayOf_tns1_RCEntry')], null, async ({ ctx, parts }) => {
    await changeAll(ctx, core.updateFileStats, decodeItems(parts, 'entries', decodeGuidStatUpdate), (i) => i.guid);
    return VOID;
  }),
  op('setMasterReplica', [part('guidSurls', PAIRS)], null, async ({ ctx, parts }) => {
    const items = decodeItems(parts, 'guidSurls', decodeFullPair).map((p) => ({ guid: p.string1, surl: p.string2 }));
    await changeAll(ctx, core.setMasterReplicas, items, (i) => `${i.guid} ${i.surl}`);
    return VOID;
  }),
];

/** FiremanCatalog: FileCatalog + ReplicaCatalog + its own operations + MetadataBase, over the same core as REST. */
export const FIREMAN_CATALOG: PortDefinition = {
  name: 'FiremanCatalog',
  namespace: NS.fireman,
  interfaceVersion: '2.0.0',
  wsdlFile: 'org.glite.data-fireman-2.0.0.wsdl',
  operations: [
    ...serviceBaseOperations(() => FIREMAN_CATALOG),
    ...fasBaseOperations,
    ...fileCatalogOperations,
    ...firemanOperations,
    ...replicaCatalogOperations,
    ...metadataBaseOperations,
  ],
};
