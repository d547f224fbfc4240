import type { Readable } from 'node:stream';
import type { Environment } from './cli-config';

/** A stream the CLI writes to: process.stdout, or a test's capture. */
export interface TextSink {
  write(text: string): boolean;
  once?(event: 'drain', listener: () => void): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Everything a command touches outside itself, passed in so that tests run commands in-process with
 * captured output, their own environment and home directory.
 */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly stdin: Readable;
  readonly env: Environment;
  readonly homedir: string;
}

/**
 * Lines to a sink, waiting when the sink is full: `ls -R` of a million entries into a slow pipe then
 * holds a pipe's worth of text, not the listing.
 */
export class LineWriter {
  readonly #sink: TextSink;
  constructor(sink: TextSink) {
    this.#sink = sink;
  }

  get isTTY(): boolean {
    return this.#sink.isTTY === true;
  }

  async line(text: string): Promise<void> {
    if (this.#sink.write(`${text}\n`) || this.#sink.once === undefined) return;
    await new Promise<void>((resolve) => this.#sink.once!('drain', resolve));
  }

  async json(value: unknown): Promise<void> {
    await this.line(JSON.stringify(value));
  }
}
