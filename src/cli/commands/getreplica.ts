import { defineCommand } from '../command-spec';
import { formatTime } from '../entry-format';
import { reportResults, resolveTargets } from '../targets';

export const getreplica = defineCommand<{ readonly long?: boolean }>({
  name: 'getreplica',
  tool: 'glite-catalog-getreplica',
  summary: 'print the SURLs of files, master first, a blank line between files',
  description: '-l prints "Replicas for FILE", then per replica its registration time, last change time, Master for the master, and the SURL.',
  arguments: [['<file...>', 'LFNs (wildcards expanded) or guid:GUID']],
  examples: ['glite-catalog-getreplica /grid/vo/run1/a.root', "glite-catalog-getreplica -l '/grid/vo/run1/*.root' guid:6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c"],
  configure: (command) => command.option('-l, --long', 'times and the master flag with each SURL'),
  async run(session, args, options) {
    const targets = await resolveTargets(session, args, { guids: true });
    if (targets.length === 0) return;
    const results = await session.client().replicas.list(targets.map((t) => (t.kind === 'guid' ? { guid: t.guid } : { lfn: t.lfn })));
    let first = true;
    await reportResults(session, targets.map((t) => t.subject), results, async (r, i) => {
      if (session.json) return;
      if (!first) await session.out.line('');
      first = false;
      if (options.long === true) {
        await session.out.line(`Replicas for ${targets[i]!.subject}`);
        for (const replica of r.replicas) {
          await session.out.line(`${formatTime(replica.ctime)}  ${formatTime(replica.mtime ?? replica.ctime)}  ${replica.master ? 'Master' : '      '}  ${replica.surl}`);
        }
      } else {
        for (const replica of r.replicas) await session.out.line(replica.surl);
      }
    });
  },
});
