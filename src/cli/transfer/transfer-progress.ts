import { ExitCode } from '../exit-codes';
import { SingleBar } from 'cli-progress';
import type { LineWriter, TextSink } from '../cli-io';
import { UsageError } from '../exit-codes';
import type { Session } from '../session';

/** Shows how a get or put is going; `finish` leaves the screen clean for the summary. */
export interface TransferProgress {
  bytes(n: number): void;
  file(ok: boolean): void;
  finish(): void;
}

export const NO_TRANSFER_PROGRESS: TransferProgress = { bytes: () => undefined, file: () => undefined, finish: () => undefined };

interface Tally {
  bytes: number;
  done: number;
  failed: number;
}

/** A bar over the bytes to move, with files done and failed and the rate (a terminal). */
export function transferBar(sink: TextSink, verb: string, totalFiles: number, totalBytes: number): TransferProgress {
  const tally: Tally = { bytes: 0, done: 0, failed: 0 };
  const startedAt = Date.now();
  const bar = new SingleBar({
    stream: sink as NodeJS.WritableStream,
    format: `${verb} {bar} {percentage}% | {files}/${totalFiles} files, {failed} failed | {mbps} MB/s | ETA {eta_formatted}`,
    hideCursor: true,
    etaBuffer: 50,
    fps: 5,
  });
  const values = () => ({ files: tally.done, failed: tally.failed, mbps: (tally.bytes / 1e6 / Math.max((Date.now() - startedAt) / 1000, 0.001)).toFixed(1) });
  bar.start(Math.max(totalBytes, 1), 0, values());
  return {
    bytes(n) {
      tally.bytes += n;
      bar.update(Math.min(tally.bytes, totalBytes), values());
    },
    file(ok) {
      if (ok) tally.done++;
      else tally.failed++;
      bar.update(Math.min(tally.bytes, totalBytes), values());
    },
    finish() {
      bar.stop();
    },
  };
}

/** A plain line every `intervalMs` (a pipe or a log file, where a bar would be noise). */
export function transferLines(writer: LineWriter, verb: string, totalFiles: number, intervalMs: number): TransferProgress {
  const tally: Tally = { bytes: 0, done: 0, failed: 0 };
  const startedAt = Date.now();
  let last = startedAt;
  const maybeReport = () => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    const rate = (tally.done + tally.failed) / Math.max((now - startedAt) / 1000, 0.001);
    void writer.line(`${verb}: ${tally.done + tally.failed}/${totalFiles} files (${tally.failed} failed), ${tally.bytes} bytes, ${rate.toFixed(1)} files/s`);
  };
  return {
    bytes(n) {
      tally.bytes += n;
      maybeReport();
    },
    file(ok) {
      if (ok) tally.done++;
      else tally.failed++;
      maybeReport();
    },
    finish: () => undefined,
  };
}

/** A bar on a terminal, periodic lines otherwise (every `--progress-interval` seconds), nothing with -q or --json. */
export function chooseTransferProgress(session: Session, verb: 'get' | 'put', files: number, bytes: number, intervalText: string): TransferProgress {
  const interval = Number(intervalText);
  if (!(interval >= 0)) throw new UsageError(`--progress-interval ${intervalText}: give seconds`);
  if (session.verbosity < 0 || session.json) return NO_TRANSFER_PROGRESS;
  return session.out.isTTY ? transferBar(session.io.stdout, verb, files, bytes) : transferLines(session.out, verb, files, interval * 1000);
}

/** What a transfer reports of each file. */
export interface TransferOutcome {
  readonly ok: boolean;
  readonly size?: number;
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * The end of a get or put: each outcome (a JSON line with --json; failures on stderr, successes with -v), the
 * summary line, and exit status 1 when any file failed.
 */
export async function reportTransfers<O extends TransferOutcome>(
  session: Session,
  verb: 'got' | 'put',
  outcomes: readonly O[],
  seconds: number,
  describe: { readonly subject: (outcome: O) => string; readonly done: (outcome: O) => string },
): Promise<void> {
  let ok = 0;
  let bytes = 0;
  for (const outcome of outcomes) {
    if (session.json) await session.out.json(outcome);
    if (outcome.ok) {
      ok++;
      bytes += outcome.size ?? 0;
      session.debug(() => describe.done(outcome));
    } else {
      await session.fail(describe.subject(outcome), outcome.error!);
      if (outcome.error!.code === 'Unreachable') session.raise(ExitCode.Unreachable);
    }
  }
  if (!session.json && session.verbosity >= 0) {
    const failed = outcomes.length - ok;
    await session.out.line(
      `${verb} ${ok} of ${outcomes.length} files, ${bytes} bytes in ${seconds.toFixed(1)} s (${(outcomes.length / Math.max(seconds, 0.001)).toFixed(1)} files/s)` +
        (failed > 0 ? `; ${failed} failed` : ''),
    );
  }
}
