import { Option } from 'commander';
import type { Entry } from '@replicat/sdk';
import { defineCommand } from '../command-spec';
import { ExitCode } from '../exit-codes';
import { collect } from '../option-values';
import type { Session } from '../session';
import { lfnTargets, reportResults, resolveTargets, type Target } from '../targets';
import { removeReplicaBytes, type DoomedFile } from '../transfer/remove-bytes';
import { SrmConnections } from '../transfer/srm-connections';

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

interface RmOptions {
  readonly recursive?: boolean;
  readonly R?: boolean;
  readonly replicasAndBytes?: boolean;
  readonly srm: string[];
}

export const rm = defineCommand<RmOptions>({
  name: 'rm',
  tool: 'glite-catalog-rm',
  summary: 'remove files and symlinks (with -r, directories and everything below them)',
  description:
    'Removing a file removes its GUID and replicas from the catalog, not the bytes on the storage elements.\n\n' +
    "With --replicas-and-bytes (lcg-del's semantics, files only), each replica's bytes are removed through the SRM of " +
    'its storage element first (one srmRm per SRM), then the file leaves the catalog. A replica whose bytes cannot be ' +
    'removed (SRM refused, unreachable, none given for its SE) is reported and stays registered, and so does its file.',
  arguments: [['<lfn...>', 'LFNs (wildcards expanded)']],
  examples: ["glite-catalog-rm '/grid/vo/run1/*.tmp'", 'glite-catalog-rm -r /grid/vo/old-run', 'replicat rm --replicas-and-bytes --srm http://srm.example.org:8446 /grid/vo/run1/a.root'],
  configure: (command) =>
    command
      .option('-r, --recursive', 'remove directories and their contents')
      .addOption(new Option('-R', 'the same as -r').hideHelp())
      .option('--replicas-and-bytes', "remove each replica's bytes through the SRM, then the file (files only)")
      .option('--srm <url>', 'with --replicas-and-bytes, the SRM: URL for every SE, or SE=URL (repeat); else REPLICAT_SRM or "srm" in the config file', collect, []),
  async run(session, args, options) {
    const recursive = options.recursive === true || options.R === true;
    const found = await entriesOf(session, lfnTargets(await resolveTargets(session, args)));
    if (options.replicasAndBytes === true) {
      await removeWithBytes(session, found, options.srm);
      return;
    }
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

/** rm --replicas-and-bytes: the bytes of each replica through its SRM, then the catalog entry of each file all of whose bytes went. */
async function removeWithBytes(session: Session, found: readonly { target: Extract<Target, { kind: 'lfn' }>; entry: Entry }[], srmOptions: readonly string[]): Promise<void> {
  const files = [];
  for (const f of found) {
    if (f.entry.kind !== 'file') await session.fail(f.target.subject, { code: 'InvalidArgument', message: `a ${f.entry.kind}, not a file (--replicas-and-bytes removes files)` });
    else files.push(f);
  }
  if (files.length === 0) return;
  const connections = new SrmConnections(session, srmOptions);
  try {
    const listed = await session.client().replicas.list(files.map((f) => ({ lfn: f.target.lfn })));
    const doomed: DoomedFile[] = [];
    for (const [i, result] of listed.entries()) {
      const file = files[i]!;
      if (result.ok) doomed.push({ subject: file.target.subject, lfn: file.target.lfn, replicas: result.replicas });
      else await session.fail(file.target.subject, result.error);
    }
    const outcomes = await removeReplicaBytes(session, connections, doomed);
    for (const outcome of outcomes) {
      for (const kept of outcome.kept) {
        await session.fail(`${outcome.file.subject} ${kept.surl}`, { code: kept.code, message: `bytes not removed, replica kept: ${kept.message}` });
        if (kept.code === 'Unreachable') session.raise(ExitCode.Unreachable);
      }
      for (const surl of outcome.removed) session.debug(() => `removed the bytes of ${surl}`);
    }
    const whole = outcomes.filter((o) => o.kept.length === 0);
    const partial = outcomes.filter((o) => o.kept.length > 0 && o.removed.length > 0);
    // Replicas whose bytes went are unregistered even where the file stays (the SRM may have done it already).
    const gone = partial.flatMap((o) => o.removed.map((surl) => ({ lfn: o.file.lfn, surl })));
    if (gone.length > 0) {
      const results = await session.client().replicas.remove(gone);
      for (const [i, r] of results.entries()) if (!r.ok && r.error.code !== 'NotExists') await session.fail(`${gone[i]!.lfn} ${gone[i]!.surl}`, r.error);
    }
    await removeEntries(session, whole.map((o) => ({ target: { kind: 'lfn' as const, subject: o.file.subject, lfn: o.file.lfn } })), false);
  } finally {
    await connections.close();
  }
}
