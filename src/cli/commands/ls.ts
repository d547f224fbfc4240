import { ReplicatError, type Entry } from '@replicat/sdk';
import { defineCommand } from '../command-spec';
import { alignColumns, longFields } from '../entry-format';
import { baseName } from '../lfn-pattern';
import type { Session } from '../session';
import { lfnTargets, resolveTargets, type Target } from '../targets';

interface LsOptions {
  readonly long?: boolean;
  readonly directory?: boolean;
  readonly recursive?: boolean;
}

// Long lines are aligned within blocks this long, so that a huge directory streams in constant memory.
const BLOCK = 1000;

export const ls = defineCommand<LsOptions>({
  name: 'ls',
  tool: 'glite-catalog-ls',
  summary: 'list directories and describe entries',
  description:
    'A directory argument lists its entries (one streamed request, whatever its size); other arguments are shown\n' +
    'themselves. -l adds kind, owner, group, size, modification time and GUID. Wildcards (* ?) are expanded\n' +
    'with one listing of the directory they are in.',
  arguments: [['<lfn...>', 'LFNs (absolute, lfn:// forms, wildcards)']],
  examples: ['glite-catalog-ls -l /grid/vo/run1', "glite-catalog-ls -d '/grid/vo/run*'", 'glite-catalog-ls -R --json /grid/vo > tree.ndjson'],
  configure: (command) =>
    command
      .option('-l, --long', 'long listing: kind, owner, group, size, mtime, GUID, name')
      .option('-d, --directory', 'show directories themselves, not their entries')
      .option('-R, --recursive', 'list subdirectories too'),
  async run(session, args, options) {
    const targets = lfnTargets(await resolveTargets(session, args));
    const unknown = targets.filter((t) => t.entry === undefined);
    const stats = unknown.length > 0 ? await session.client().entries.stat(unknown.map((t) => t.lfn)) : [];
    const known = new Map<Target, Entry>();
    for (let i = 0; i < unknown.length; i++) {
      const result = stats[i]!;
      if (result.ok) known.set(unknown[i]!, result.entry);
      else await session.fail(unknown[i]!.subject, result.error);
    }
    const shown: { name: string; entry: Entry }[] = [];
    const directories: string[] = [];
    for (const target of targets) {
      const entry = target.entry ?? known.get(target);
      if (entry === undefined) continue;
      if (entry.kind === 'directory' && options.directory !== true) directories.push(target.lfn);
      else shown.push({ name: target.subject, entry });
    }
    const listing = new Listing(session, options);
    await listing.block(shown);
    const headers = Math.max(args.length, targets.length) > 1 || options.recursive === true;
    for (const directory of directories) await listing.directory(directory, headers);
  },
});

/** Prints entries, short or long, or as JSON lines; directories under a `DIR:` header when there are several. */
class Listing {
  readonly #session: Session;
  readonly #options: LsOptions;
  #printed = false;
  constructor(session: Session, options: LsOptions) {
    this.#session = session;
    this.#options = options;
  }

  async block(entries: readonly { name: string; entry: Entry }[]): Promise<void> {
    if (entries.length === 0) return;
    this.#printed = true;
    const out = this.#session.out;
    if (this.#session.json) {
      for (const { entry } of entries) await out.json(entry);
    } else if (this.#options.long === true) {
      for (const line of alignColumns(entries.map(({ name, entry }) => longFields(entry, name)))) await out.line(line);
    } else {
      for (const { name } of entries) await out.line(name);
    }
  }

  /** Lists one directory, and with -R those below it, depth first, in byte order of names. */
  async directory(lfn: string, header: boolean): Promise<void> {
    const session = this.#session;
    if (header && !session.json) {
      await session.out.line(`${this.#printed ? '\n' : ''}${lfn}:`);
      this.#printed = true;
    }
    const below: string[] = [];
    let block: { name: string; entry: Entry }[] = [];
    try {
      for await (const entry of session.client().dir.list(lfn)) {
        if (this.#options.recursive === true && entry.kind === 'directory') below.push(entry.lfn);
        block.push({ name: baseName(entry.lfn), entry });
        if (block.length >= BLOCK) {
          await this.block(block);
          block = [];
        }
      }
    } catch (error) {
      // A directory gone or closed since it was seen is that directory's failure, not the whole listing's.
      if (!(error instanceof ReplicatError) || !['NotExists', 'NotADirectory', 'PermissionDenied'].includes(error.code)) throw error;
      await session.fail(lfn, { code: error.code, message: error.message });
    }
    await this.block(block);
    for (const sub of below) await this.directory(sub, true);
  }
}
