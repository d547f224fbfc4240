import { createWriteStream, rmSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { defineCommand } from '../command-spec';
import { positiveInteger } from '../option-values';
import { ExitCode, UsageError } from '../exit-codes';
import type { Session } from '../session';
import { importFiles, type ImportCatalog, type ImportCounts, type ImportFailure } from '../import/import-files';
import { barProgress, lineProgress, NO_PROGRESS, type ImportProgress } from '../import/import-progress';
import { inputFormat, openInput, readRecords } from '../import/record-reader';

interface ImportOptions {
  readonly format?: string;
  readonly failures?: string;
  readonly batch: string;
  readonly inFlight: string;
  readonly progressInterval: string;
}

export const importCommand = defineCommand<ImportOptions>({
  name: 'import',
  tool: 'replicat import',
  summary: 'register files in bulk from NDJSON or CSV, resumably',
  description:
    'Each line describes a file: lfn (required), guid, size, checksum (adler32:HEX, md5:HEX or {"type","value"}; ' +
    'or adler32 / md5 columns), surls (a list; in CSV one cell separated by spaces, | or ;). CSV starts with a ' +
    'header naming its columns. Missing parent directories are made. Lines that cannot be registered go to the ' +
    'failure file (NDJSON: line, lfn, code, message, input) and the import goes on.\n\n' +
    'Resumable: a file already registered as the line describes it (same LFN, and same GUID, size and checksum ' +
    'where the line gives them) counts as done, so re-running the same input after a crash finishes the job. ' +
    'Memory stays constant: the input is streamed, with at most --in-flight batches of --batch lines held.',
  arguments: [['<file>', 'the input (- for stdin); .csv is CSV, anything else NDJSON unless --format']],
  examples: ['replicat import files.ndjson', 'replicat import --format csv --failures bad.ndjson - < files.txt'],
  configure: (command) =>
    command
      .option('--format <format>', 'ndjson or csv (default: by the file name)')
      .option('--failures <path>', 'where to write the lines that failed (default: FILE.failures.ndjson, or import.failures.ndjson for stdin)')
      .option('--batch <n>', 'files per bulk call', '2000')
      .option('--in-flight <n>', 'bulk calls at once', '4')
      .option('--progress-interval <seconds>', 'seconds between progress lines when stdout is not a terminal', '10'),
  async run(session, args, options) {
    const path = args[0]!;
    const format = inputFormat(path, options.format);
    const batchSize = positiveInteger('--batch', options.batch);
    const inFlight = positiveInteger('--in-flight', options.inFlight);
    const interval = Number(options.progressInterval);
    if (!(interval >= 0)) throw new UsageError(`--progress-interval ${options.progressInterval}: give seconds`);
    const totalBytes = path === '-' ? undefined : inputSize(path);
    const failuresPath = options.failures ?? (path === '-' ? 'import.failures.ndjson' : `${path}.failures.ndjson`);
    rmSync(failuresPath, { force: true });

    const client = session.client();
    const catalog: ImportCatalog = {
      makeDirectories: (lfns) => client.directories.create(lfns, { parents: true, idempotent: true }),
      // Safe to repeat: a file the first attempt registered comes back Exists with the same GUID, which counts as done.
      createFiles: (files) => client.files.create(files, { idempotent: true }),
      stat: async (lfns) => (await client.entries.stat(lfns.map((lfn) => ({ lfn, follow: false })))).map((r) => (r.ok ? r.entry : undefined)),
    };
    const failures = new FailureFile(failuresPath);
    const progress = chooseProgress(session, totalBytes, interval);
    const startedAt = Date.now();
    let counts: ImportCounts | undefined;
    try {
      counts = await importFiles(readRecords(openInput(path, session.io.stdin), format), catalog, {
        batchSize,
        inFlight,
        onFailure: (failure) => failures.write(failure),
        onProgress: (c) => progress.update(c),
      });
    } finally {
      progress.finish();
      await failures.close();
    }
    const seconds = (Date.now() - startedAt) / 1000;
    const done = counts.created + counts.existed + counts.failed;
    if (session.json) {
      await session.out.json({ ...counts, seconds, filesPerSecond: Math.round(done / Math.max(seconds, 0.001)), failures: counts.failed > 0 ? failuresPath : null });
    } else if (session.verbosity >= 0) {
      await session.out.line(
        `imported ${path}: ${counts.created} registered, ${counts.existed} already there, ${counts.failed} failed` +
          `${counts.failed > 0 ? ` (see ${failuresPath})` : ''}; ${counts.lines} lines in ${seconds.toFixed(1)} s, ${Math.round(done / Math.max(seconds, 0.001))} files/s`,
      );
    }
    if (counts.failed > 0) session.raise(ExitCode.ItemsFailed);
  },
});


function inputSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
}

/** A bar on a terminal, periodic lines otherwise, nothing with -q or --json. */
function chooseProgress(session: Session, totalBytes: number | undefined, intervalSeconds: number): ImportProgress {
  if (session.verbosity < 0 || session.json) return NO_PROGRESS;
  if (session.out.isTTY && totalBytes !== undefined) return barProgress(session.io.stdout, totalBytes);
  return lineProgress(session.out, intervalSeconds * 1000, totalBytes);
}

/** The failure file, written as failures come (NDJSON), created only if there is one. */
class FailureFile {
  readonly #path: string;
  #stream: WriteStream | undefined;
  constructor(path: string) {
    this.#path = path;
  }

  async write(failure: ImportFailure): Promise<void> {
    this.#stream ??= createWriteStream(this.#path);
    if (!this.#stream.write(`${JSON.stringify(failure)}\n`)) await once(this.#stream, 'drain');
  }

  async close(): Promise<void> {
    if (this.#stream === undefined) return;
    this.#stream.end();
    await once(this.#stream, 'finish');
  }
}
