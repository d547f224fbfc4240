import type { Command } from 'commander';
import type { CommonOptions, Session } from './session';

/**
 * One command of the CLI, served both as `replicat NAME` and as its gLite tool (`glite-catalog-NAME`).
 * `O` is the shape of its own options, as commander collects them.
 */
export interface CommandSpec<O extends object> {
  /** The `replicat` subcommand. */
  readonly name: string;
  /** The gLite tool name (a package.json bin). */
  readonly tool: string;
  /** One line for command lists. */
  readonly summary: string;
  /** Longer help, shown by --help under the usage line. */
  readonly description?: string;
  /** commander's argument syntax, e.g. `<lfn...>`. */
  readonly arguments: readonly (readonly [syntax: string, description: string])[];
  /** Shown by --help, in the tool's own name. */
  readonly examples: readonly string[];
  /** Adds the command's own options. */
  readonly configure?: (command: Command) => void;
  readonly run: (session: Session, args: readonly string[], options: O & CommonOptions) => Promise<void>;
}

/** A command with its option type erased, for the table of every command. */
export interface CliCommand {
  readonly name: string;
  readonly tool: string;
  readonly summary: string;
  readonly description: string | undefined;
  readonly arguments: readonly (readonly [string, string])[];
  readonly examples: readonly string[];
  configure(command: Command): void;
  run(session: Session, args: readonly string[], command: Command): Promise<void>;
}

export function defineCommand<O extends object>(spec: CommandSpec<O>): CliCommand {
  return {
    name: spec.name,
    tool: spec.tool,
    summary: spec.summary,
    description: spec.description,
    arguments: spec.arguments,
    examples: spec.examples,
    configure: (command) => spec.configure?.(command),
    run: (session, args, command) => spec.run(session, args, command.opts<O & CommonOptions>()),
  };
}
