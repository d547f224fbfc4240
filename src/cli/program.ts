import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root';
import type { CliIo } from './cli-io';
import type { CliCommand } from './command-spec';
import { COMMAND_GROUPS, COMMANDS } from './command-table';
import { ExitCode } from './exit-codes';
import { helpWidth, wrapText } from './help-text';
import { describeFailure, Session, type CommonOptions } from './session';

// One paragraph a line: wrapText fits them to the terminal.
const EXIT_CODES_HELP = `
Exit status: 0 every item succeeded; 1 some items failed (each on stderr, one line); 2 usage error; 3 the service could not be reached, was unavailable, or refused the credentials.
Service: -s URL, else REPLICAT_ENDPOINT, else "endpoint" in ~/.config/replicat/config.json.
Credentials: X509_USER_PROXY, X509_USER_CERT/X509_USER_KEY, REPLICAT_TOKEN, or REPLICAT_USER/REPLICAT_PASSWORD.`;

/**
 * Commands of `replicat` that run a service rather than talk to one (src/main.ts provides them): the
 * catalog (`serve`, `migrate`) and the mock SRM's processes (`srm`, `storage`). An option is a
 * `[flags, description]` pair, or a commander `Option` for what a pair cannot say (repeatable options).
 */
export type ServerCommands = Readonly<
  Record<
    'serve' | 'migrate' | 'srm' | 'storage',
    {
      readonly summary: string;
      readonly description?: string;
      readonly options?: readonly (readonly [flags: string, description: string] | Option)[];
      readonly run: (options: Readonly<Record<string, unknown>>) => Promise<number>;
    }
  >
>;

/** Runs one gLite tool (`glite-catalog-ls …`) and answers its exit status. */
export function runTool(name: string, argv: readonly string[], io: CliIo): Promise<number> {
  const command = COMMANDS.find((c) => c.tool === name);
  if (command === undefined) throw new Error(`no tool ${name}`);
  return run(io, (program, settle) => {
    program.name(command.tool);
    defineRunnable(program, command, command.tool, io, settle);
  }, argv);
}

/** Runs `replicat <command> …` and answers its exit status. */
export function runReplicat(argv: readonly string[], io: CliIo, server?: ServerCommands): Promise<number> {
  return run(
    io,
    (program, settle) => {
      program
        .name('replicat')
        .description('The replicat grid file and replica catalog: its command line, and the service itself.')
        .version(version(), '-V, --version', 'print the version')
        .addHelpText('after', wrapText(`${EXIT_CODES_HELP}\nEach command is also installed under its gLite name (glite-catalog-ls, …); see docs/cli.md.`, helpWidth(io.stdout)));
      const groups = new Map<string, Command>();
      for (const command of COMMANDS) {
        const [group, sub] = command.name.split(' ');
        let parent = program;
        if (sub !== undefined) {
          parent = groups.get(group!) ?? program.command(group!).summary(COMMAND_GROUPS[group!] ?? '').description(COMMAND_GROUPS[group!] ?? '');
          groups.set(group!, parent);
        }
        defineRunnable(parent.command(sub ?? group!), command, `replicat ${command.name}`, io, settle);
      }
      if (server !== undefined) {
        for (const [name, spec] of Object.entries(server)) {
          const command = program
            .command(name)
            .summary(spec.summary)
            .description(spec.description ?? spec.summary);
          for (const option of spec.options ?? []) {
            if (option instanceof Option) command.addOption(option);
            else command.option(option[0], option[1]);
          }
          command.action(async (...params: unknown[]) => settle(await spec.run((params.at(-1) as Command).opts())));
        }
      }
    },
    argv,
  );
}

type Settle = (code: number) => void;

async function run(io: CliIo, build: (program: Command, settle: Settle) => void, argv: readonly string[]): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = new Command();
  const width = helpWidth(io.stdout);
  program.exitOverride().configureOutput({
    writeOut: (text) => void io.stdout.write(text),
    writeErr: (text) => void io.stderr.write(text),
    getOutHelpWidth: () => width,
    getErrHelpWidth: () => width,
    outputError: (text, write) => write(`${program.name()}: ${text.replace(/^error: /, '')}`),
  });
  build(program, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    throw error;
  }
  return exitCode;
}

/** `displayName` prefixes the command's error lines: the name it was invoked by. */
function defineRunnable(command: Command, spec: CliCommand, displayName: string, io: CliIo, settle: Settle): void {
  command
    // commander says `error: unknown option '-x'`; a tool says `glite-catalog-ls: unknown option '-x'`.
    .configureOutput({ ...command.configureOutput(), outputError: (text, write) => write(`${displayName}: ${text.replace(/^error: /, '')}`) })
    .description(spec.description === undefined ? spec.summary : `${spec.summary}\n\n${spec.description}`)
    .summary(spec.summary)
    .exitOverride()
    .showHelpAfterError('(--help for usage)')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .option('-q, --quiet', 'print no per-item errors or progress (the exit status still tells)')
    .option('-v, --verbose', 'say more (repeat for more)', (_value: string, previous: number) => previous + 1, 0)
    .option('-s, --service <url>', 'the catalog service (a URL, or a name from the config file)')
    .option('--json', 'print results as JSON, one object a line');
  for (const [syntax, description] of spec.arguments) command.argument(syntax, description);
  spec.configure(command);
  command.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}\n${wrapText(EXIT_CODES_HELP, helpWidth(io.stdout))}`);
  command.action(async (...params: unknown[]) => {
    const self = params.at(-1) as Command;
    const session = new Session(displayName, io, self.opts<CommonOptions>());
    try {
      await spec.run(session, self.args, self);
      settle(session.exitCode);
    } catch (error) {
      const { exitCode, message } = describeFailure(error, session.failureContext);
      io.stderr.write(`${displayName}: ${message}\n`);
      settle(Math.max(exitCode, session.exitCode));
    } finally {
      await session.close();
    }
  });
}

let cachedVersion: string | undefined;
function version(): string {
  cachedVersion ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cachedVersion;
}
