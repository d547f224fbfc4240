import { ReplicatError } from '@replicat/sdk';
import { defineCommand } from '../command-spec';
import { UsageError } from '../exit-codes';
import { reportResults, resolveTargets, lfnTargets } from '../targets';
import type { ItemError, Session } from '../session';

export const getguid = defineCommand<object>({
  name: 'getguid',
  tool: 'glite-catalog-getguid',
  summary: 'print the GUID of files (with several, LFN and GUID on each line)',
  arguments: [['<lfn...>', 'LFNs (wildcards expanded)']],
  examples: ['glite-catalog-getguid /grid/vo/run1/a.root', "glite-catalog-getguid '/grid/vo/run1/*'"],
  async run(session, args) {
    const targets = lfnTargets(await resolveTargets(session, args));
    if (targets.length === 0) return;
    const results = await session.client().guids.lookup(targets.map((t) => t.lfn));
    const alone = args.length === 1 && targets.length === 1 && targets[0]!.subject === args[0];
    await reportResults(session, targets.map((t) => t.subject), results, async (r, i) => {
      if (!session.json) await session.out.line(alone ? r.guid : `${targets[i]!.lfn} ${r.guid}`);
    });
  },
});

const UUID = /^(?:guid:(?:\/\/)?)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

type Found = { readonly ok: true; readonly lfn: string } | { readonly ok: false; readonly error: ItemError };

export const getlfn = defineCommand<object>({
  name: 'getlfn',
  tool: 'glite-catalog-getlfn',
  summary: 'print the LFN of files named by GUID or by one of their SURLs',
  description:
    'SURLs are looked up in one REST bulk request. GUIDs in one Fireman getLfnForGuid call on the SOAP face ' +
    '(REST has no GUID → LFN lookup); SOAP being all or nothing, when a GUID is unknown the GUIDs are asked ' +
    'one by one to tell which.',
  arguments: [['<guid-or-surl...>', 'guid:GUID (or a bare UUID), or a SURL']],
  examples: ['glite-catalog-getlfn guid:6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c', 'glite-catalog-getlfn srm://se1.example.org/vo/a.root'],
  async run(session, args) {
    const items = args.map((text) => {
      const guid = UUID.exec(text)?.[1];
      if (guid !== undefined) return { text, guid: guid.toLowerCase() };
      if (/^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(text)) return { text, surl: text };
      throw new UsageError(`${text}: give guid:GUID or a SURL`);
    });
    const byGuid = await lfnsOfGuids(session, [...new Set(items.flatMap((i) => (i.guid !== undefined ? [i.guid] : [])))]);
    const surls = items.flatMap((i) => (i.surl !== undefined ? [{ surl: i.surl }] : []));
    const bySurl = surls.length > 0 ? await session.client().guids.lookup(surls) : [];
    let next = 0;
    const results: Found[] = items.map((i) => (i.guid !== undefined ? byGuid.get(i.guid)! : bySurl[next++]!));
    const alone = items.length === 1;
    await reportResults(session, items.map((i) => i.text), results, async (r, i) => {
      if (!session.json) await session.out.line(alone ? r.lfn : `${items[i]!.text} ${r.lfn}`);
    });
  },
});

/** The LFN of each GUID: one SOAP call, or one per GUID when a fault must be pinned on the GUID that caused it. */
async function lfnsOfGuids(session: Session, guids: readonly string[]): Promise<Map<string, Found>> {
  const out = new Map<string, Found>();
  if (guids.length === 0) return out;
  const soap = session.soap();
  try {
    const pairs = await soap.fireman.getLfnForGuid({ guids });
    pairs.forEach((pair, i) => out.set(guids[i]!, { ok: true, lfn: pair.string2 ?? '' }));
    return out;
  } catch (error) {
    if (!isItemFault(error)) throw error;
    if (guids.length === 1) return out.set(guids[0]!, { ok: false, error: { code: error.code, message: error.message } });
  }
  for (const guid of guids) {
    try {
      const [pair] = await soap.fireman.getLfnForGuid({ guids: [guid] });
      out.set(guid, { ok: true, lfn: pair?.string2 ?? '' });
    } catch (error) {
      if (!isItemFault(error)) throw error;
      out.set(guid, { ok: false, error: { code: error.code, message: error.message } });
    }
  }
  return out;
}

/** A fault about the items asked (not about reaching the service). */
function isItemFault(error: unknown): error is ReplicatError {
  return error instanceof ReplicatError && ['NotExists', 'PermissionDenied', 'InvalidArgument'].includes(error.code);
}
