import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseLfnArgument } from '../catalog-argument';
import { defineCommand } from '../command-spec';
import { UsageError } from '../exit-codes';
import { putFiles, type PutItem, type PutOutcome } from '../transfer/put-files';
import type { RegisteredSe } from '../transfer/replica-choice';
import { SrmConnections } from '../transfer/srm-connections';
import { collect, positiveInteger } from '../option-values';
import { chooseProtocols, TRANSFER_PROTOCOLS } from '../transfer/transfer-options';
import { chooseTransferProgress, reportTransfers } from '../transfer/transfer-progress';

interface PutOptions {
  readonly se: string;
  readonly srm: string[];
  readonly protocol: string[];
  readonly parallel: string;
  readonly batch: string;
  readonly progressInterval: string;
}

export const put = defineCommand<PutOptions>({
  name: 'put',
  tool: 'replicat put',
  summary: 'store local files on an SE and register them (file, size, adler32, replica) in the catalog',
  description:
    'The SRM reserves a TURL per file (prepareToPut), the bytes are uploaded in parallel with their adler32 ' +
    'computed on the way, and putDone has the SRM compute size and adler32 of what arrived and register the ' +
    'file (with missing parent directories) and its replica in the catalog. A checksum that differs from the ' +
    'one computed here means the bytes were damaged in transit: the replica is removed and the file reported. ' +
    'An LFN that exists already gets one more replica when the bytes are the same, and is refused otherwise. ' +
    'The SURL is the SE\'s first SURL prefix followed by the LFN. One SOURCE and an LFN: the file is stored ' +
    'under that LFN; several SOURCEs (or an LFN ending in /): the LFN is a directory and each file keeps its ' +
    'name.',
  arguments: [['<sources-and-lfn...>', 'SOURCE... (local files) then LFN (the file\'s LFN for one source, or a directory)']],
  examples: ['replicat put --se se1.example.org ./a.root /grid/vo/run1/a.root', 'replicat put --se se1.example.org --srm http://srm.example.org:8446 run1/*.root /grid/vo/run1/'],
  configure: (command) =>
    command
      .requiredOption('--se <name>', 'the storage element to store on (its registry name)')
      .option('--srm <url>', 'the SRM: URL for every SE, or SE=URL (repeat); else REPLICAT_SRM or "srm" in the config file', collect, [])
      .option('--protocol <schemes>', `upload protocols, best first (this client speaks ${TRANSFER_PROTOCOLS.join(', ')})`, collect, [])
      .option('--parallel <n>', 'uploads at once', '8')
      .option('--batch <n>', 'files per SRM request', '1000')
      .option('--progress-interval <seconds>', 'seconds between progress lines when stdout is not a terminal', '10'),
  async run(session, args, options) {
    if (args.length < 2) throw new UsageError('give SOURCE... LFN');
    const target = parseLfnArgument(args.at(-1)!);
    const sources = args.slice(0, -1);
    const protocols = chooseProtocols(options.protocol);
    const parallel = positiveInteger('--parallel', options.parallel);
    const batch = positiveInteger('--batch', options.batch);
    const connections = new SrmConnections(session, options.srm);
    try {
      const { directory } = await connections.directory();
      const se = directory.named(options.se);
      if (se === undefined) throw new UsageError(`--se ${options.se}: no such storage element in the registry`);
      if (se.status !== 'online') throw new UsageError(`--se ${options.se}: the storage element is ${se.status} and takes no new files`);
      const srm = connections.endpoints.of(se.name);
      if (srm === undefined) throw new UsageError(`no SRM given for ${se.name}: --srm URL or --srm ${se.name}=URL`);
      const items = planItems(sources, target, sources.length > 1 || args.at(-1)!.endsWith('/'), se);
      await connections.ready([srm]);
      const bytes = items.reduce((sum, item) => sum + item.size, 0);
      const progress = chooseTransferProgress(session, 'put', items.length, bytes, options.progressInterval);
      const startedAt = Date.now();
      let outcomes: PutOutcome[];
      try {
        outcomes = await putFiles(items, {
          srm: connections.srm(srm),
          parallel,
          batch,
          protocols,
          onBytes: (n) => progress.bytes(n),
          onOutcome: (outcome) => progress.file(outcome.ok),
        });
      } finally {
        progress.finish();
      }
      await reportTransfers(session, 'put', outcomes, (Date.now() - startedAt) / 1000, {
        subject: (o) => `${o.source} → ${o.lfn}`,
        done: (o) => `${o.source} → ${o.lfn} at ${o.surl} (adler32 ${o.adler32})`,
      });
    } finally {
      await connections.close();
    }
  },
});

/** Each source with its LFN and SURL; sources must be regular files, and no two may share an LFN. */
function planItems(sources: readonly string[], target: string, intoDirectory: boolean, se: RegisteredSe): PutItem[] {
  const prefix = se.surlPrefixes[0] ?? `srm://${se.host}/`;
  const seen = new Set<string>();
  return sources.map((source) => {
    let size: number;
    try {
      const info = statSync(source);
      if (!info.isFile()) throw new UsageError(`${source}: not a regular file`);
      size = info.size;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${source}: ${(error as Error).message}`);
    }
    const lfn = intoDirectory ? `${target.replace(/\/+$/, '')}/${basename(source)}` : target;
    if (seen.has(lfn)) throw new UsageError(`two sources would both be stored as ${lfn}`);
    seen.add(lfn);
    return { source, size, lfn, surl: `${prefix.replace(/\/+$/, '')}/${lfn.replace(/^\/+/, '')}` };
  });
}


