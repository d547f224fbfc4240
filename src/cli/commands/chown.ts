import { defineCommand } from '../command-spec';
import { UsageError } from '../exit-codes';
import { lfnTargets, reportResults, resolveTargets } from '../targets';
import { inBatches, walkTree } from '../walk-tree';

export const chown = defineCommand<{ readonly recursive?: boolean }>({
  name: 'chown',
  tool: 'glite-catalog-chown',
  summary: 'change owner (administrators) and/or group (the owner, into one of their groups)',
  description: 'OWNER[:GROUP], or :GROUP for the group alone. The group is after the last colon, so a DN may hold colons.',
  arguments: [
    ['<owner>', 'OWNER, OWNER:GROUP or :GROUP'],
    ['<lfn...>', 'LFNs (wildcards expanded)'],
  ],
  examples: ["glite-catalog-chown ':/vo/prod' /grid/vo/run1/a.root", "glite-catalog-chown -R '/DC=org/DC=example/CN=Alice:vo' /grid/vo/alice"],
  configure: (command) => command.option('-R, --recursive', 'change everything below directories too'),
  async run(session, args, options) {
    const spec = args[0]!;
    const cut = spec.lastIndexOf(':');
    const owner = cut < 0 ? spec : spec.slice(0, cut);
    const group = cut < 0 ? undefined : spec.slice(cut + 1);
    if (owner === '' && (group === undefined || group === '')) throw new UsageError(`${JSON.stringify(spec)}: give OWNER, OWNER:GROUP or :GROUP`);
    const change = { ...(owner !== '' ? { owner } : {}), ...(group !== undefined && group !== '' ? { group } : {}) };
    const targets = lfnTargets(await resolveTargets(session, args.slice(1)));
    const subjects = new Map(targets.map((t) => [t.lfn, t.subject] as const));
    const client = session.client();
    const lfns = options.recursive === true ? walkTree(client, targets.map((t) => ({ lfn: t.lfn }))) : (async function* () {
      yield* targets.map((t) => t.lfn);
    })();
    for await (const batch of inBatches(lfns, 5000)) {
      const results = await client.entries.chown(batch.map((lfn) => ({ lfn, ...change })));
      await reportResults(session, batch.map((lfn) => subjects.get(lfn) ?? lfn), results);
    }
  },
});
