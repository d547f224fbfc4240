import { SingleBar } from 'cli-progress';
import type { LineWriter, TextSink } from '../cli-io';

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
