import { defineCommand } from '../command-spec';
import { reportResults, resolveTargets } from '../targets';

export const listse = defineCommand<object>({
  name: 'listse',
  tool: 'glite-seindex-listse',
  summary: 'print the storage elements holding files (StorageIndex listSEbyLFN / listSEbyGUID)',
  description:
    'The SE hosts of each file\'s replicas, master\'s first, a blank line between files: one bulk request to the\n' +
    'storage index (POST /api/v1/storage-index/ses).',
  arguments: [['<file...>', 'LFNs (wildcards expanded) or guid:GUID']],
  examples: ['glite-seindex-listse /grid/vo/run1/a.root', 'glite-seindex-listse guid:6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c'],
  async run(session, args) {
    const targets = await resolveTargets(session, args, { guids: true });
    if (targets.length === 0) return;
    const results = await session.client().storageIndex.ses(targets.map((t) => (t.kind === 'guid' ? { guid: t.guid } : { lfn: t.lfn })));
    let first = true;
    await reportResults(session, targets.map((t) => t.subject), results, async (r) => {
      if (session.json) return;
      if (!first) await session.out.line('');
      first = false;
      for (const se of r.ses) await session.out.line(se);
    });
  },
});
