/**
 * What a command's exit status means, so that scripts can tell "some items failed" from "the service was
 * never asked". When several apply, the highest wins.
 */
export const ExitCode = {
  /** Every item succeeded (for chkperm: every right is granted on every entry). */
  Ok: 0,
  /** At least one item failed (or a pattern matched nothing, or chkperm found a right missing). */
  ItemsFailed: 1,
  /** The command line is wrong: unknown option, missing argument, relative LFN, bad mode, bad input file. */
  Usage: 2,
  /** The service could not be reached, did not answer in time, or refused the credentials. */
  Unreachable: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that ends the command with a given exit status and one line on stderr. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A mistake on the command line (exit 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.Usage);
    this.name = 'UsageError';
  }
}
