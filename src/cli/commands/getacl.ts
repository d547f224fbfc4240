import { formatPermission } from '../acl-text';
import { defineCommand } from '../command-spec';
import { lfnTargets, reportResults, resolveTargets } from '../targets';

export const getacl = defineCommand<object>({
  name: 'getacl',
  tool: 'glite-catalog-getacl',
  summary: 'show owner, group, base rights and ACL entries',
  description:
    'One entry a line, in the form setacl reads: user::RIGHTS, group::RIGHTS, other::RIGHTS for the base ' +
    'rights; [inherit:]user|group:PRINCIPAL:ALLOWED[!DENIED] for ACL entries.',
  arguments: [['<lfn...>', 'LFNs (wildcards expanded)']],
  examples: ['glite-catalog-getacl /grid/vo/run1'],
  async run(session, args) {
    const targets = lfnTargets(await resolveTargets(session, args));
    if (targets.length === 0) return;
    const results = await session.client().permissions.get(targets.map((t) => t.lfn));
    let first = true;
    await reportResults(session, targets.map((t) => t.subject), results, async (r, i) => {
      if (session.json) return;
      if (!first) await session.out.line('');
      first = false;
      await session.out.line(`# lfn: ${targets[i]!.lfn}`);
      for (const line of formatPermission(r.permission)) await session.out.line(line);
    });
  },
});
