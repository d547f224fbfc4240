import { defineCommand } from '../command-spec';
import { reportResults, resolveTargets } from '../targets';
import { seDirectory, type RegisteredSe } from '../transfer/replica-choice';

export const listse = defineCommand<object>({
  name: 'listse',
  tool: 'glite-seindex-listse',
  summary: 'print the storage elements holding files (StorageIndex listSEbyLFN / listSEbyGUID)',
  description:
    "The storage elements of each file's replicas by their registry names (the SURL's host for an SE the registry " +
    "does not know), master's first, each once, a blank line between files. Each replica is placed as the catalog " +
    'places it (the SE whose SURL prefix holds it, else the SE of its host), so two SEs on one host are told apart: ' +
    'one bulk replica listing and one read of the registry.',
  arguments: [['<file...>', 'LFNs (wildcards expanded) or guid:GUID']],
  examples: ['glite-seindex-listse /grid/vo/run1/a.root', 'glite-seindex-listse guid:6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c'],
  async run(session, args) {
    const targets = await resolveTargets(session, args, { guids: true });
    if (targets.length === 0) return;
    const client = session.client();
    const [results, registered] = await Promise.all([
      client.replicas.list(targets.map((t) => (t.kind === 'guid' ? { guid: t.guid } : { lfn: t.lfn }))),
      client.storageElements.list() as Promise<RegisteredSe[]>,
    ]);
    const directory = seDirectory(registered);
    const named = results.map((r) => {
      if (!r.ok) return r;
      const ordered = [...r.replicas].sort((a, b) => Number(b.master) - Number(a.master));
      const ses = [...new Set(ordered.map((replica) => directory.locate(replica.surl, replica.se)?.name ?? replica.se))];
      return { ok: true as const, ses };
    });
    let first = true;
    await reportResults(session, targets.map((t) => t.subject), named, async (r) => {
      if (session.json) return;
      if (!first) await session.out.line('');
      first = false;
      for (const se of r.ses) await session.out.line(se);
    });
  },
});
