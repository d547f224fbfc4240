import { defineCommand } from '../command-spec';
import { statLines } from '../entry-format';
import { lfnTargets, reportResults, resolveTargets } from '../targets';

export const stat = defineCommand<{ readonly follow: boolean }>({
  name: 'stat',
  tool: 'glite-catalog-stat',
  summary: 'describe entries: kind, GUID, size, checksum, owner, group, times',
  arguments: [['<lfn...>', 'LFNs (wildcards expanded)']],
  examples: ['glite-catalog-stat /grid/vo/run1/a.root', "glite-catalog-stat --json '/grid/vo/run1/*' | jq .entry.size"],
  configure: (command) => command.option('-n, --no-follow', 'describe a symlink itself, not what it points to'),
  async run(session, args, options) {
    const targets = lfnTargets(await resolveTargets(session, args));
    if (targets.length === 0) return;
    const results = await session.client().entries.stat(targets.map((t) => ({ lfn: t.lfn, follow: options.follow })));
    let first = true;
    await reportResults(session, targets.map((t) => t.subject), results, async (r) => {
      if (session.json) return;
      if (!first) await session.out.line('');
      first = false;
      for (const line of statLines(r.entry)) await session.out.line(line);
    });
  },
});
