import { parseLfnArgument } from '../catalog-argument';
import { defineCommand } from '../command-spec';
import { reportResults } from '../targets';

export const mkdir = defineCommand<{ readonly parents?: boolean }>({
  name: 'mkdir',
  tool: 'glite-catalog-mkdir',
  summary: 'make directories',
  arguments: [['<lfn...>', 'directories to make (wildcards are taken literally)']],
  examples: ['glite-catalog-mkdir -p /grid/vo/run1/raw /grid/vo/run1/reco'],
  configure: (command) => command.option('-p, --parents', 'make missing parents too, and accept directories that exist'),
  async run(session, args, options) {
    const lfns = args.map(parseLfnArgument);
    const results = await session.client().directories.create(lfns, { parents: options.parents === true, idempotent: options.parents === true });
    await reportResults(session, args, results, (r) => session.debug(() => `made ${r.entry.lfn}`));
  },
});
