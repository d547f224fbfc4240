import { parseChmodMode } from '../chmod-mode';
import { defineCommand } from '../command-spec';
import { applyPermissionSteps } from '../permission-steps';

export const chmod = defineCommand<{ readonly recursive?: boolean }>({
  name: 'chmod',
  tool: 'glite-catalog-chmod',
  summary: 'change the base rights of owner, group and others',
  description:
    'MODE is chmod(1)-like over Fireman\'s eight rights: [ugoa][+-=][pdrwlxgs], comma-separated clauses ' +
    '(p change permissions, d delete, r read, w write, l list, x execute/traverse, g get metadata, s set metadata). ' +
    'Each clause is applied atomically per entry by the service.',
  arguments: [
    ['<mode>', 'e.g. g+rl, o-w, u=pdrwlxgs,go=rl'],
    ['<lfn...>', 'LFNs (wildcards expanded)'],
  ],
  examples: ['glite-catalog-chmod g+rl,o= /grid/vo/run1', "glite-catalog-chmod -R go-w '/grid/vo/run*'"],
  configure: (command) => command.option('-R, --recursive', 'change everything below directories too'),
  async run(session, args, options) {
    const steps = parseChmodMode(args[0]!).map((s) => ({ mode: s.mode, permission: { base: s.base } }));
    await applyPermissionSteps(session, args.slice(1), steps, options.recursive === true);
  },
});
