import { Option } from 'commander';
import type { Entry } from '@replicat/sdk';
import { defineCommand } from '../command-spec';
import type { Session } from '../session';
import { lfnTargets, reportResults, resolveTargets, type Target } from '../targets';

/** The entries of targets, from the listing that matched them or one bulk stat (not following links). */
async function entriesOf(session: Session, targets: readonly Extract<Target, { kind: 'lfn' }>[]): Promise<{ target: Extract<Target, { kind: 'lfn' }>; entry: Entry }[]> {
  const unknown = targets.filter((t) => t.entry === undefined);
  const stats = unknown.length > 0 ? await session.client().entries.stat(unknown.map((t) => ({ lfn: t.lfn, follow: false }))) : [];
  const found = new Map<Target, Entry>();
  for (let i = 0; i < unknown.length; i++) {
    const r = stats[i]!;
    if (r.ok) found.set(unknown[i]!, r.entry);
    else await session.fail(unknown[i]!.subject, r.error);
  }
  return targets.flatMap((target) => {
    const entry = target.entry ?? found.get(target);
    return entry === undefined ? [] : [{ target, entry }];
  });
}

async function removeEntries(session: Session, chosen: readonly { target: Extract<Target, { kind: 'lfn' }> }[], recursive: boolean): Promise<void> {
  if (chosen.length === 0) return;
  const results = await session.client().entries.remove(chosen.map((c) => ({ lfn: c.target.lfn, ...(recursive ? { recursive } : {}) })));
  await reportResults(session, chosen.map((c) => c.target.subject), results, (_r, i) => session.debug(() => `removed ${chosen[i]!.target.lfn}`));
}

export const rm = defineCommand<{ readonly recursive?: boolean; readonly R?: boolean }>({
  name: 'rm',
  tool: 'glite-catalog-rm',
  summary: 'remove files and symlinks (with -r, directories and everything below them)',
  description: 'Removing a file removes its GUID and replicas from the catalog (not the bytes on the storage elements).',
  arguments: [['<lfn...>', 'LFNs (wildcards expanded)']],
  examples: ["glite-catalog-rm '/grid/vo/run1/*.tmp'", 'glite-catalog-rm -r /grid/vo/old-run'],
  configure: (command) => command.option('-r, --recursive', 'remove directories and their contents').addOption(new Option('-R', 'the same as -r').hideHelp()),
  async run(session, args, options) {
    const recursive = options.recursive === true || options.R === true;
    const found = await entriesOf(session, lfnTargets(await resolveTargets(session, args)));
    const chosen = [];
    for (const f of found) {
      if (f.entry.kind === 'directory' && !recursive) await session.fail(f.target.subject, { code: 'IsADirectory', message: 'is a directory (use -r, or rmdir)' });
      else chosen.push(f);
    }
    await removeEntries(session, chosen, recursive);
  },
});

export const rmdir = defineCommand<object>({
  name: 'rmdir',
  tool: 'glite-catalog-rmdir',
  summary: 'remove empty directories',
  arguments: [['<lfn...>', 'directories (wildcards expanded)']],
  examples: ['glite-catalog-rmdir /grid/vo/run1/tmp', "glite-catalog-rmdir '/grid/vo/empty-*'"],
  async run(session, args) {
    const found = await entriesOf(session, lfnTargets(await resolveTargets(session, args)));
    const chosen = [];
    for (const f of found) {
      if (f.entry.kind !== 'directory') await session.fail(f.target.subject, { code: 'NotADirectory', message: 'not a directory' });
      else chosen.push(f);
    }
    await removeEntries(session, chosen, false);
  },
});
