import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defineCommand } from '../command-spec';
import { UsageError } from '../exit-codes';
import type { Session } from '../session';
import { lfnTargets, resolveTargets } from '../targets';
import { getFiles, type GetItem, type GetOutcome } from '../transfer/get-files';
import { orderReplicas } from '../transfer/replica-choice';
import { SrmConnections } from '../transfer/srm-connections';
import { chooseTransferProgress, reportTransfers } from '../transfer/transfer-progress';
import { collect, commaList, positiveInteger } from '../option-values';
import { chooseProtocols, TRANSFER_PROTOCOLS } from '../transfer/transfer-options';

interface GetOptions {
  readonly srm: string[];
  readonly se: string[];
  readonly protocol: string[];
  readonly parallel: string;
  readonly batch: string;
  readonly stageTimeout: string;
  readonly force?: boolean;
  readonly progressInterval: string;
}

export const get = defineCommand<GetOptions>({
  name: 'get',
  tool: 'replicat get',
  summary: 'copy files from their replicas to local disk, checked against the catalog',
  description:
    'For each LFN: the catalog gives the replicas, size and adler32; replicas on offline SEs are skipped; the ' +
    'rest are tried preferred SEs first (--se), disk before tape, master first. Each SRM is asked once per ' +
    'batch (prepareToGet), staging on nearline SEs is waited for, the TURLs are downloaded in parallel into a ' +
    'temporary name, size and adler32 are compared with the catalog, and only then is the file renamed into ' +
    'place; pins are released. A failed or corrupt replica is reported and the next replica tried; a file ' +
    'whose every replica failed is a failed item (exit 1), never a file with wrong bytes.\n\n' +
    'One LFN and a DESTINATION that is not a directory: the file is written there. Otherwise DESTINATION is a ' +
    'directory (made if missing) and each file keeps its LFN\'s last component.',
  arguments: [['<lfns-and-destination...>', 'LFN... (wildcards expanded) then DESTINATION (a local file for one LFN, or a directory)']],
  examples: [
    'replicat get /grid/vo/run1/a.root ./a.root',
    "replicat get --srm http://srm.example.org:8446 --se se1.example.org '/grid/vo/run1/*.root' ./run1/",
  ],
  configure: (command) =>
    command
      .option('--srm <url>', 'the SRM: URL for every SE, or SE=URL (repeat); else REPLICAT_SRM or "srm" in the config file', collect, [])
      .option('--se <names>', 'SEs to read from first, in order (comma-separated or repeated)', collect, [])
      .option('--protocol <schemes>', `transfer protocols to use, best first (this client speaks ${TRANSFER_PROTOCOLS.join(', ')})`, collect, [])
      .option('--parallel <n>', 'downloads at once', '8')
      .option('--batch <n>', 'files per SRM request', '1000')
      .option('--stage-timeout <seconds>', 'how long to wait for a nearline SE to stage before trying another replica', '600')
      .option('-f, --force', 'overwrite local files that exist')
      .option('--progress-interval <seconds>', 'seconds between progress lines when stdout is not a terminal', '10'),
  async run(session, args, options) {
    if (args.length < 2) throw new UsageError('give LFN... DESTINATION');
    const destinationArg = args.at(-1)!;
    const lfnArgs = args.slice(0, -1);
    const protocols = chooseProtocols(options.protocol);
    const parallel = positiveInteger('--parallel', options.parallel);
    const batch = positiveInteger('--batch', options.batch);
    const stageTimeoutMs = positiveInteger('--stage-timeout', options.stageTimeout) * 1000;
    const connections = new SrmConnections(session, options.srm);
    try {
      const targets = lfnTargets(await resolveTargets(session, lfnArgs));
      if (targets.length === 0) return;
      const destinations = placeFiles(targets.map((t) => t.lfn), destinationArg, options.force === true);
      const items = await describeFiles(session, connections, targets.map((t) => t.lfn), destinations, commaList(...options.se), protocols);
      const wanted: GetItem[] = [];
      for (const item of items) {
        if ('error' in item) await session.fail(item.lfn, item.error);
        else wanted.push(item);
      }
      if (wanted.length === 0) return;
      await connections.ready(new Set(wanted.flatMap((item) => item.candidates.map((c) => c.srm))));
      const bytes = wanted.reduce((sum, item) => sum + (item.size ?? 0), 0);
      const progress = chooseTransferProgress(session, 'get', wanted.length, bytes, options.progressInterval);
      const startedAt = Date.now();
      let outcomes: GetOutcome[];
      try {
        outcomes = await getFiles(wanted, {
          parallel,
          batch,
          protocols,
          stageTimeoutMs,
          srm: (url) => connections.srm(url),
          onBytes: (n) => progress.bytes(n),
          onOutcome: (outcome) => progress.file(outcome.ok),
        });
      } finally {
        progress.finish();
      }
      await reportTransfers(session, 'got', outcomes, (Date.now() - startedAt) / 1000, {
        subject: (o) => o.lfn,
        done: (o) => `${o.lfn} → ${o.destination} from ${o.surl}`,
      });
    } finally {
      await connections.close();
    }
  },
});

/** Each LFN's local path; refuses to overwrite unless forced, and two LFNs landing on one name. */
function placeFiles(lfns: readonly string[], destination: string, force: boolean): string[] {
  const isDirectory = existsSync(destination) && statSync(destination).isDirectory();
  if (lfns.length === 1 && !isDirectory && !destination.endsWith('/')) {
    if (!force && existsSync(destination)) throw new UsageError(`${destination} exists (use --force to overwrite)`);
    return [destination];
  }
  mkdirSync(destination, { recursive: true });
  const seen = new Map<string, string>();
  return lfns.map((lfn) => {
    const name = basename(lfn);
    const other = seen.get(name);
    if (other !== undefined && other !== lfn) throw new UsageError(`${other} and ${lfn} would both be written to ${join(destination, name)}`);
    seen.set(name, lfn);
    const path = join(destination, name);
    if (!force && existsSync(path)) throw new UsageError(`${path} exists (use --force to overwrite)`);
    return path;
  });
}

/** Size, adler32 and ordered replicas of each file: one bulk stat, one bulk replica list, the SE registry. */
async function describeFiles(
  session: Session,
  connections: SrmConnections,
  lfns: readonly string[],
  destinations: readonly string[],
  preferredSes: readonly string[],
  protocols: readonly string[],
): Promise<(GetItem | { lfn: string; error: { code: string; message: string } })[]> {
  const client = session.client();
  const [stats, replicas, { directory }] = await Promise.all([
    client.entries.stat(lfns.map((lfn) => ({ lfn, follow: true }))),
    client.replicas.list(lfns),
    connections.directory(),
  ]);
  const unknown = preferredSes.filter((se) => directory.named(se) === undefined);
  if (unknown.length > 0) throw new UsageError(`--se ${unknown.join(',')}: no such storage element in the registry`);
  return lfns.map((lfn, i) => {
    const stat = stats[i]!;
    const listed = replicas[i]!;
    if (!stat.ok) return { lfn, error: stat.error };
    if (stat.entry.kind !== 'file') return { lfn, error: { code: 'InvalidArgument', message: `a ${stat.entry.kind}, not a file` } };
    if (!listed.ok) return { lfn, error: listed.error };
    const { candidates, skipped } = orderReplicas(listed.replicas, directory, { preferredSes, protocols, srmOf: (se) => connections.endpoints.of(se) });
    const checksum = stat.entry.checksum;
    return {
      lfn,
      destination: destinations[i]!,
      size: stat.entry.size ?? null,
      adler32: checksum?.type === 'adler32' ? checksum.value : null,
      candidates,
      skipped,
    };
  });
}



