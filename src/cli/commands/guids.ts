import { defineCommand } from '../command-spec';
import { UsageError } from '../exit-codes';
import { reportResults, resolveTargets, lfnTargets } from '../targets';
import type { Session } from '../session';

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

export const getlfn = defineCommand<object>({
  name: 'getlfn',
  tool: 'glite-catalog-getlfn',
  summary: 'print the LFN of files named by GUID or by one of their SURLs',
  description:
    'A SURL is looked up directly. The REST face has no GUID → LFN lookup yet, so a GUID is resolved through\n' +
    'its replicas (one bulk request for the replicas, one for their LFNs): a file without replicas is not found.',
  arguments: [['<guid-or-surl...>', 'guid:GUID (or a bare UUID), or a SURL']],
  examples: ['glite-catalog-getlfn guid:6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c', 'glite-catalog-getlfn srm://se1.example.org/vo/a.root'],
  async run(session, args) {
    const items = args.map((text) => {
      const guid = UUID.exec(text)?.[1];
      if (guid !== undefined) return { text, guid: guid.toLowerCase() };
      if (/^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(text)) return { text, surl: text };
      throw new UsageError(`${text}: give guid:GUID or a SURL`);
    });
    const surlOf = await surlsOfGuids(session, items.flatMap((i) => (i.guid !== undefined ? [i.guid] : [])));
    const lookups = items.map((i) => (i.guid !== undefined ? surlOf.get(i.guid) : i.surl));
    const asked = lookups.flatMap((surl) => (typeof surl === 'string' ? [{ surl }] : []));
    const answers = asked.length > 0 ? await session.client().guids.lookup(asked) : [];
    let next = 0;
    const results = lookups.map((l) => (typeof l === 'string' ? answers[next++]! : l!));
    const alone = items.length === 1;
    await reportResults(session, items.map((i) => i.text), results, async (r, i) => {
      if (!session.json) await session.out.line(alone ? r.lfn : `${items[i]!.text} ${r.lfn}`);
    });
  },
});

type Failure = { readonly ok: false; readonly error: { readonly code: 'NotExists'; readonly message: string } };

/** A SURL of each GUID's file (its master), or why there is none; one bulk request. */
async function surlsOfGuids(session: Session, guids: readonly string[]): Promise<Map<string, string | Failure>> {
  const out = new Map<string, string | Failure>();
  if (guids.length === 0) return out;
  const results = await session.client().replicas.list(guids.map((guid) => ({ guid })));
  guids.forEach((guid, i) => {
    const r = results[i]!;
    if (!r.ok) out.set(guid, { ok: false, error: { code: 'NotExists', message: r.error.message } });
    else if (r.replicas.length === 0) out.set(guid, { ok: false, error: { code: 'NotExists', message: 'the file has no replica to find its LFN by' } });
    else out.set(guid, r.replicas[0]!.surl);
  });
  return out;
}
