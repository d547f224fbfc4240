import { InvalidArgument, type Entry, type Query } from '@replicat/sdk';
import { parseLfnArgument } from '../catalog-argument';
import { defineCommand } from '../command-spec';
import { longLines } from '../entry-format';
import { UsageError } from '../exit-codes';
import type { Session } from '../session';

interface QueryOptions {
  readonly under?: string;
  readonly inherit?: boolean;
  readonly kind?: string;
  readonly count?: boolean;
  readonly long?: boolean;
}

export const query = defineCommand<QueryOptions>({
  name: 'query',
  tool: 'glite-catalog-query',
  summary: 'find entries by metadata (the query language of docs/query.md)',
  arguments: [['<query>', "e.g. \"run > 1000 AND detector = 'tpc'\""]],
  examples: ["glite-catalog-query --under /grid/vo \"run > 1000 AND detector = 'tpc'\"", 'glite-catalog-query --count "EXISTS run"'],
  configure: (command) =>
    command
      .option('--under <lfn>', 'only entries below this directory')
      .option('--inherit', "match effective values (an entry's own, else its nearest directory's)")
      .option('--kind <kind>', 'file, directory or symlink')
      .option('-c, --count', 'print the number of matches only')
      .option('-l, --long', 'long lines, as ls -l'),
  async run(session, args, options) {
    const kind = options.kind;
    if (kind !== undefined && kind !== 'file' && kind !== 'directory' && kind !== 'symlink') throw new UsageError(`--kind ${kind}: use file, directory or symlink`);
    const matches = session.client().query(args[0]!, {
      ...(options.under !== undefined ? { under: parseLfnArgument(options.under) } : {}),
      ...(options.inherit === true ? { inherit: true } : {}),
      ...(kind !== undefined ? { kind } : {}),
    });
    try {
      await printMatches(session, matches, options);
    } catch (error) {
      // The service parses the query; a mistake in it is a mistake on the command line.
      if (error instanceof InvalidArgument) throw new UsageError(`query: ${error.message}`);
      throw error;
    }
  },
});

async function printMatches(session: Session, matches: Query, options: QueryOptions): Promise<void> {
  if (options.count === true) {
    const count = await matches.count();
    await (session.json ? session.out.json({ count }) : session.out.line(String(count)));
    return;
  }
  let block: Entry[] = [];
  const flush = async (): Promise<void> => {
    for (const line of longLines(block.map((entry) => ({ entry, name: entry.lfn })))) await session.out.line(line);
    block = [];
  };
  for await (const entry of matches) {
    if (session.json) await session.out.json(entry);
    else if (options.long !== true) await session.out.line(entry.lfn);
    else {
      block.push(entry);
      if (block.length >= 1000) await flush();
    }
  }
  await flush();
}
