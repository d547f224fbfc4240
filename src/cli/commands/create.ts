import { parseLfnArgument } from '../catalog-argument';
import { defineCommand } from '../command-spec';
import { collect } from '../option-values';
import { UsageError } from '../exit-codes';
import { BadRecord, toNewFile } from '../import/new-file';
import { parentPath } from '../lfn-pattern';
import { reportResults } from '../targets';

interface CreateOptions {
  readonly guid?: string;
  readonly size?: string;
  readonly checksum?: string;
  readonly surl: string[];
  readonly parents?: boolean;
}

export const create = defineCommand<CreateOptions>({
  name: 'create',
  tool: 'glite-catalog-create',
  summary: 'register files (GUID generated unless given), with size, checksum and replicas',
  description: 'Each file is registered whole or not at all. For many files from a list, use `replicat import`.',
  arguments: [['<lfn...>', 'files to register']],
  examples: [
    'glite-catalog-create --size 1048576 --checksum adler32:9600001 --surl srm://se1.example.org/vo/a.root /grid/vo/run1/a.root',
    'glite-catalog-create -p /grid/vo/new/b.root /grid/vo/new/c.root',
  ],
  configure: (command) =>
    command
      .option('-g, --guid <guid>', 'the GUID (one file only)')
      .option('--size <bytes>', 'size in bytes')
      .option('--checksum <type:value>', 'adler32:HEX or md5:HEX')
      .option('--surl <surl>', 'a replica (repeat for more; the first is the master)', collect, [])
      .option('-p, --parents', 'make missing parent directories first'),
  async run(session, args, options) {
    if (options.guid !== undefined && args.length > 1) throw new UsageError('--guid names one file: give one LFN');
    const files = args.map((arg) => {
      try {
        return toNewFile({
          lfn: parseLfnArgument(arg),
          ...(options.guid !== undefined ? { guid: options.guid } : {}),
          ...(options.size !== undefined ? { size: options.size } : {}),
          ...(options.checksum !== undefined ? { checksum: options.checksum } : {}),
          ...(options.surl.length > 0 ? { surls: options.surl } : {}),
        });
      } catch (error) {
        if (error instanceof BadRecord) throw new UsageError(error.message);
        throw error;
      }
    });
    const client = session.client();
    if (options.parents === true) {
      const parents = [...new Set(files.map((f) => parentPath(f.lfn)))].filter((p) => p !== '/');
      // Failures show up on the files below, with their own reason.
      await client.directories.create(parents, { parents: true, idempotent: true });
    }
    const results = await client.files.create(files);
    await reportResults(session, args, results, async (r) => {
      if (!session.json && session.verbosity >= 1) await session.out.line(`${r.entry.lfn} guid:${r.entry.guid ?? ''}`);
    });
  },
});
