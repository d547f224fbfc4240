import { parseLfnArgument } from '../catalog-argument';
import { defineCommand } from '../command-spec';
import { UsageError } from '../exit-codes';
import { baseName, joinPath } from '../lfn-pattern';
import { lfnTargets, reportResults, resolveTargets } from '../targets';

export const symlink = defineCommand<object>({
  name: 'symlink',
  tool: 'glite-catalog-symlink',
  summary: 'make symbolic links: TARGET LINKNAME, or TARGET... DIR',
  description: 'Any access to a link except remove operates on the object it points to. The target need not exist.',
  arguments: [['<targets-and-link...>', 'TARGET... (what the links point to; wildcards expanded) then LINK (the link, or a directory to make links in, named as their targets)']],
  examples: ['glite-catalog-symlink /grid/vo/run1/a.root /grid/vo/latest', "glite-catalog-symlink '/grid/vo/run1/*.root' /grid/vo/selected"],
  async run(session, args) {
    if (args.length < 2) throw new UsageError('give TARGET LINKNAME, or TARGET... DIR');
    const last = parseLfnArgument(args.at(-1)!);
    const targets = lfnTargets(await resolveTargets(session, args.slice(0, -1)));
    if (targets.length === 0) return;
    const client = session.client();
    const [at] = await client.entries.stat([last]);
    const inDirectory = at !== undefined && at.ok && at.entry.kind === 'directory';
    if (!inDirectory && (targets.length > 1 || args.length > 2)) throw new UsageError(`${args.at(-1)}: not a directory (needed for several targets)`);
    const items = targets.map((t) => ({ lfn: inDirectory ? joinPath(last, baseName(t.lfn)) : last, target: t.lfn }));
    const results = await client.symlinks.create(items);
    await reportResults(session, items.map((i) => i.lfn), results, (r) => session.debug(() => `${r.entry.lfn} -> ${r.entry.target ?? ''}`));
  },
});
