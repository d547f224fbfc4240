import { Option } from 'commander';
import { defineCommand } from '../command-spec';
import { UsageError } from '../exit-codes';
import { lettersOfRights, rightsOfLetters } from '../rights-letters';
import { lfnTargets, resolveTargets } from '../targets';
import { inBatches, walkTree } from '../walk-tree';

export const chkperm = defineCommand<{ readonly recursive?: boolean; readonly R?: boolean }>({
  name: 'chkperm',
  tool: 'glite-catalog-chkperm',
  summary: 'check that you hold rights: exit 0 only if every right is granted on every entry',
  description: 'RIGHTS are letters of pdrwlxgs. Each entry missing a right is reported on stderr (not with -q).',
  arguments: [
    ['<rights>', 'letters, e.g. rwl'],
    ['<lfn...>', 'LFNs (wildcards expanded)'],
  ],
  examples: ['glite-catalog-chkperm rw /grid/vo/run1/a.root && echo writable', 'glite-catalog-chkperm -q -r rl /grid/vo/run1'],
  configure: (command) => command.option('-r, --recursive', 'check everything below directories too').addOption(new Option('-R', 'the same as -r').hideHelp()),
  async run(session, args, options) {
    const rights = rightsOfLetters(args[0]!);
    if (rights.length === 0) throw new UsageError('give at least one right (letters pdrwlxgs)');
    const targets = lfnTargets(await resolveTargets(session, args.slice(1)));
    const client = session.client();
    const subjects = new Map(targets.map((t) => [t.lfn, t.subject] as const));
    const lfns = (options.recursive === true || options.R === true) ? walkTree(client, targets.map((t) => ({ lfn: t.lfn }))) : (async function* () {
      yield* targets.map((t) => t.lfn);
    })();
    for await (const batch of inBatches(lfns, 5000)) {
      const results = await client.permissions.check(batch.map((lfn) => ({ lfn, rights })));
      for (let i = 0; i < batch.length; i++) {
        const r = results[i]!;
        const subject = subjects.get(batch[i]!) ?? batch[i]!;
        if (session.json) await session.out.json({ item: subject, ...r });
        if (!r.ok) await session.fail(subject, r.error);
        else if (r.denied.length > 0) await session.fail(subject, { code: 'PermissionDenied', message: `missing ${lettersOfRights(r.denied)}` });
        else if (!session.json && session.verbosity >= 1) await session.out.line(`${subject}: ${lettersOfRights(r.granted)}`);
      }
    }
  },
});
