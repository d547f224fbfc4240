import { SingleBar } from 'cli-progress';
import type { LineWriter, TextSink } from '../cli-io';
import type { ImportCounts } from './import-files';

/** Shows how an import is going; `finish` leaves the screen clean for the summary. */
export interface ImportProgress {
  update(counts: ImportCounts): void;
  finish(): void;
}

export const NO_PROGRESS: ImportProgress = { update: () => undefined, finish: () => undefined };

function rate(counts: ImportCounts, startedAt: number): number {
  const seconds = (Date.now() - startedAt) / 1000;
  return seconds > 0 ? Math.round((counts.created + counts.existed + counts.failed) / seconds) : 0;
}

/** A progress bar over the bytes of the input, with counts and rate (a terminal). */
export function barProgress(sink: TextSink, totalBytes: number): ImportProgress {
  const startedAt = Date.now();
  const bar = new SingleBar({
    stream: sink as NodeJS.WritableStream,
    format: '{bar} {percentage}% | {lines} lines | {created} new, {existed} there, {failed} failed | {rate} files/s | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 50,
    fps: 5,
  });
  bar.start(totalBytes, 0, { lines: 0, created: 0, existed: 0, failed: 0, rate: 0 });
  return {
    update(counts) {
      bar.update(Math.min(counts.bytesRead, totalBytes), { ...counts, rate: rate(counts, startedAt) });
    },
    finish() {
      bar.stop();
    },
  };
}

/** A plain line every `intervalMs` (a pipe or a log file, where a bar would be noise). */
export function lineProgress(writer: LineWriter, intervalMs: number, totalBytes: number | undefined): ImportProgress {
  const startedAt = Date.now();
  let last = startedAt;
  return {
    update(counts) {
      const now = Date.now();
      if (now - last < intervalMs) return;
      last = now;
      const percent = totalBytes !== undefined && totalBytes > 0 ? ` (${Math.floor((100 * counts.bytesRead) / totalBytes)}%)` : '';
      void writer.line(
        `import: ${counts.lines} lines${percent}, ${counts.created} registered, ${counts.existed} already there, ${counts.failed} failed, ${rate(counts, startedAt)} files/s`,
      );
    },
    finish: () => undefined,
  };
}
