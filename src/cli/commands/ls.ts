import { Option } from 'commander';
import { ReplicatError, type Entry } from '@replicat/sdk';
import { defineCommand } from '../command-spec';
import { longLines, type LongRow } from '../entry-format';
import { baseName } from '../lfn-pattern';
import { compareBytes, compareNatural } from '../natural-order';
import { RIGHT_LETTERS, rightsMask } from '../rights-letters';
import type { Session } from '../session';
import { lfnTargets, resolveTargets, type Target } from '../targets';

type SortOrder = 'natural' | 'name';

interface LsOptions {
  readonly long?: boolean;
  readonly directory?: boolean;
  readonly recursive?: boolean;
  readonly sort?: SortOrder;
}

// Long lines are aligned, and rights asked, within blocks this long, so that a huge directory listed in the
// service's order streams in constant memory.
const BLOCK = 1000;

const EVERY_RIGHT = RIGHT_LETTERS.map(([, right]) => right);

interface Shown {
  readonly name: string;
  readonly entry: Entry;
}

export const ls = defineCommand<LsOptions>({
  name: 'ls',
  tool: 'glite-catalog-ls',
  summary: 'list directories and describe entries',
  description:
    'A directory argument lists its entries (one streamed request, whatever its size); other arguments are shown themselves. ' +
    '-l adds kind, your rights, owner, group, size, modification time and GUID; the rights are the eight of Fireman as ' +
    'chmod spells them (pdrwlxgs: permission, delete, read, write, list, execute, get and set metadata), a - where you lack ' +
    'one, asked in one bulk check per 1000 entries. Wildcards (* ?) are expanded with one listing of the directory they are in.\n\n' +
    'Names are sorted naturally (f1, f2, f10, f1001, f10001), which holds a whole directory in memory before printing it; ' +
    '--sort=name prints in byte order, the service\'s own, as the entries arrive (for directories of millions of entries). ' +
    '--json prints in byte order unless --sort says otherwise.',
  arguments: [['<lfn...>', 'LFNs (absolute, lfn:// forms, wildcards)']],
  examples: ['glite-catalog-ls -l /grid/vo/run1', "glite-catalog-ls -d '/grid/vo/run*'", 'glite-catalog-ls -R --json /grid/vo > tree.ndjson'],
  configure: (command) =>
    command
      .option('-l, --long', 'long listing: kind, rights, owner, group, size, mtime, GUID, name')
      .option('-d, --directory', 'show directories themselves, not their entries')
      .option('-R, --recursive', 'list subdirectories too')
      .addOption(new Option('--sort <order>', 'natural: numbers in names by value (default); name: byte order, streamed').choices(['natural', 'name'])),
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
    const order = options.sort ?? (session.json ? 'name' : 'natural');
    const compare = order === 'natural' ? compareNatural : compareBytes;
    const shown: Shown[] = [];
    const directories: { subject: string; lfn: string }[] = [];
    for (const target of targets) {
      const entry = target.entry ?? known.get(target);
      if (entry === undefined) continue;
      if (entry.kind === 'directory' && options.directory !== true) directories.push(target);
      else shown.push({ name: target.subject, entry });
    }
    shown.sort((a, b) => compare(a.name, b.name));
    directories.sort((a, b) => compare(a.subject, b.subject));
    const listing = new Listing(session, options, order);
    await listing.block(shown);
    const headers = Math.max(args.length, targets.length) > 1 || options.recursive === true;
    for (const directory of directories) await listing.directory(directory.lfn, headers);
  },
});

/** Prints entries, short or long, or as JSON lines; directories under a `DIR:` header when there are several. */
class Listing {
  readonly #session: Session;
  readonly #options: LsOptions;
  readonly #order: SortOrder;
  #printed = false;
  constructor(session: Session, options: LsOptions, order: SortOrder) {
    this.#session = session;
    this.#options = options;
    this.#order = order;
  }

  async block(entries: readonly Shown[]): Promise<void> {
    if (entries.length === 0) return;
    this.#printed = true;
    const out = this.#session.out;
    if (this.#session.json) {
      for (const { entry } of entries) await out.json(entry);
    } else if (this.#options.long === true) {
      for (const line of longLines(await this.#withRights(entries))) await out.line(line);
    } else {
      for (const { name } of entries) await out.line(name);
    }
  }

  /** The caller's rights on each entry, from one bulk check; an entry whose rights could not be read shows `????????`. */
  async #withRights(entries: readonly Shown[]): Promise<LongRow[]> {
    const checks = await this.#session.client().permissions.check(entries.map(({ entry }) => ({ lfn: entry.lfn, rights: EVERY_RIGHT })));
    return entries.map((shown, i) => {
      const check = checks[i]!;
      return check.ok ? { ...shown, rights: rightsMask(check.granted) } : shown;
    });
  }

  /** Lists one directory, and with -R those below it, depth first, in the listing's order. */
  async directory(lfn: string, header: boolean): Promise<void> {
    const session = this.#session;
    if (header && !session.json) {
      await session.out.line(`${this.#printed ? '\n' : ''}${lfn}:`);
      this.#printed = true;
    }
    const streamed = this.#order === 'name';
    const below: string[] = [];
    let held: Shown[] = [];
    try {
      for await (const entry of session.client().dir.list(lfn)) {
        held.push({ name: baseName(entry.lfn), entry });
        if (streamed && held.length >= BLOCK) {
          await this.#emit(held, below);
          held = [];
        }
      }
    } catch (error) {
      // A directory gone or closed since it was seen is that directory's failure, not the whole listing's.
      if (!(error instanceof ReplicatError) || !['NotExists', 'NotADirectory', 'PermissionDenied'].includes(error.code)) throw error;
      await session.fail(lfn, { code: error.code, message: error.message });
    }
    if (!streamed) held.sort((a, b) => compareNatural(a.name, b.name));
    for (let i = 0; i < held.length; i += BLOCK) await this.#emit(held.slice(i, i + BLOCK), below);
    for (const sub of below) await this.directory(sub, true);
  }

  async #emit(entries: readonly Shown[], below: string[]): Promise<void> {
    if (this.#options.recursive === true) for (const { entry } of entries) if (entry.kind === 'directory') below.push(entry.lfn);
    await this.block(entries);
  }
}
