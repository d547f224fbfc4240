import { parseLfnArgument } from '../catalog-argument';
import { defineCommand } from '../command-spec';
import { UsageError } from '../exit-codes';
import { baseName, joinPath } from '../lfn-pattern';
import { lfnTargets, reportResults, resolveTargets } from '../targets';

export const mv = defineCommand<object>({
  name: 'mv',
  tool: 'glite-catalog-mv',
  summary: 'rename entries, or move them into a directory',
  description: 'A directory moves with everything below it, in one statement on the service. With several sources (or a wildcard), the destination must be a directory.',
  arguments: [['<source-and-destination...>', 'SOURCE... (LFNs, wildcards expanded) then DESTINATION (the new name, or a directory to move into)']],
  examples: ['glite-catalog-mv /grid/vo/run1 /grid/vo/run-001', "glite-catalog-mv '/grid/vo/incoming/*.root' /grid/vo/run1"],
  async run(session, args) {
    if (args.length < 2) throw new UsageError('give SOURCE... DESTINATION');
    const destination = parseLfnArgument(args.at(-1)!);
    const sources = lfnTargets(await resolveTargets(session, args.slice(0, -1)));
    if (sources.length === 0) return;
    const client = session.client();
    const [dest] = await client.entries.stat([destination]);
    const intoDirectory = dest !== undefined && dest.ok && dest.entry.kind === 'directory';
    if (!intoDirectory && (sources.length > 1 || args.length > 2)) {
      throw new UsageError(`${args.at(-1)}: not a directory (needed to move several entries)`);
    }
    const items = sources.map((s) => ({ from: s.lfn, to: intoDirectory ? joinPath(destination, baseName(s.lfn)) : destination }));
    const results = await client.entries.move(items);
    await reportResults(session, sources.map((s) => s.subject), results, (r, i) => session.debug(() => `${items[i]!.from} -> ${r.entry.lfn}`));
  },
});
