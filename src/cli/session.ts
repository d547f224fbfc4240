import {
  credentialsFromEnvironment,
  IncompleteBulkError,
  NetworkError,
  ReplicatClient,
  ReplicatError,
  SoapClient,
  TimeoutError,
  TooManyRequests,
  Unauthenticated,
  Unavailable,
  type CredentialSettings,
  type Credentials,
} from '@replicat/sdk';
import { configPath, readConfigFile, resolveEndpoint, type ConfigFile, type Endpoint } from './cli-config';
import { LineWriter, type CliIo } from './cli-io';
import { describeConnectionFailure } from './connection-failure';
import { CliError, ExitCode } from './exit-codes';

/** The options every command takes (reference §7: -h -q -s -v -V), plus --json. */
export interface CommonOptions {
  readonly quiet?: boolean;
  readonly verbose?: number;
  readonly service?: string;
  readonly json?: boolean;
}

/** A failed item as every bulk call reports it. */
export interface ItemError {
  readonly code: string;
  readonly message: string;
}

/**
 * One run of one command: where its output goes, the client (made on first use), and the tally of
 * failed items that decides the exit status.
 */
export class Session {
  readonly tool: string;
  readonly io: CliIo;
  readonly options: CommonOptions;
  readonly out: LineWriter;
  readonly err: LineWriter;
  #client: ReplicatClient | undefined;
  #soap: SoapClient | undefined;
  #clientOptions: ConstructorParameters<typeof ReplicatClient>[0] | undefined;
  #endpoint: Endpoint | undefined;
  #credentials: Credentials | undefined;
  #config: { readonly path: string; readonly file: ConfigFile } | undefined;
  #exit: ExitCode = ExitCode.Ok;
  #failures = 0;

  constructor(tool: string, io: CliIo, options: CommonOptions) {
    this.tool = tool;
    this.io = io;
    this.options = options;
    this.out = new LineWriter(io.stdout);
    this.err = new LineWriter(io.stderr);
  }

  get json(): boolean {
    return this.options.json === true;
  }

  get verbosity(): number {
    return this.options.quiet === true ? -1 : (this.options.verbose ?? 0);
  }

  /** The catalog client, made on first use from -s / REPLICAT_ENDPOINT / the config file and the environment's credentials. */
  client(): ReplicatClient {
    this.#client ??= new ReplicatClient(this.#options());
    return this.#client;
  }

  /** The Fireman SOAP client of the same service, for the few lookups REST does not offer. */
  soap(): SoapClient {
    this.#soap ??= new SoapClient(this.#options());
    return this.#soap;
  }

  /** The config file (read once) and its path. */
  config(): { readonly path: string; readonly file: ConfigFile } {
    if (this.#config === undefined) {
      const path = configPath(this.io.env, this.io.homedir);
      this.#config = { path, file: readConfigFile(path) };
    }
    return this.#config;
  }

  /** What the clients are built from: the service, the credentials, CA certificates, headers and timeout. */
  connection(): ConstructorParameters<typeof ReplicatClient>[0] {
    return this.#options();
  }

  #options(): ConstructorParameters<typeof ReplicatClient>[0] {
    if (this.#clientOptions !== undefined) return this.#clientOptions;
    const { path, file: config } = this.config();
    const endpoint = resolveEndpoint(this.options.service, this.io.env, config, path);
    let settings: CredentialSettings;
    try {
      settings = credentialsFromEnvironment(this.io.env);
    } catch (error) {
      throw new CliError(`credentials: ${(error as Error).message}`, ExitCode.Unreachable);
    }
    this.#endpoint = endpoint;
    this.#credentials = settings.credentials;
    this.#clientOptions = {
      baseUrl: endpoint.url,
      ...settings,
      headers: { 'user-agent': `replicat-cli (${this.tool})` },
      ...(config.timeoutSeconds !== undefined ? { timeoutMs: config.timeoutSeconds * 1000 } : {}),
    };
    this.debug(() => `service ${endpoint.url} (from ${endpoint.source}), credentials: ${settings.credentials.type}`);
    return this.#clientOptions;
  }

  /** A failed item: one line on stderr (`tool: subject: message (Code)`), and exit status 1. */
  async fail(subject: string, error: ItemError): Promise<void> {
    this.#failures++;
    this.raise(ExitCode.ItemsFailed);
    if (this.verbosity >= 0) await this.err.line(`${this.tool}: ${subject}: ${withoutSubject(error.message, subject)} (${error.code})`);
  }

  /** A note for -v (level 1) or -vv (level 2), on stderr. */
  debug(message: () => string, level = 1): void {
    if (this.verbosity >= level) this.io.stderr.write(`${this.tool}: ${message()}\n`);
  }

  /** At least this exit status. */
  raise(code: ExitCode): void {
    if (code > this.#exit) this.#exit = code;
  }

  get failures(): number {
    return this.#failures;
  }

  get exitCode(): ExitCode {
    return this.#exit;
  }

  get endpoint(): Endpoint | undefined {
    return this.#endpoint;
  }

  /** What describeFailure needs to say which service and which credentials an error is about. */
  get failureContext(): FailureContext {
    return { url: this.#endpoint?.url, credentials: this.#credentials };
  }

  async close(): Promise<void> {
    await Promise.all([this.#client?.close(), this.#soap?.close()]);
  }
}

/**
 * The service's message without the item it names when the line already starts with that item:
 * `no such entry: /x` under `/x:` becomes `no such entry`. The service keeps the name in its message for
 * clients that show the message alone; a name inside the message (`read on /x (stat)`) stays.
 */
export function withoutSubject(message: string, subject: string): string {
  const names = new Set([subject, subject.replace(/^lfn:(\/\/)?/, ''), subject.replace(/^guid:(\/\/)?/, '')]);
  for (const name of names) {
    if (name === '') continue;
    const at = message.indexOf(`: ${name}`);
    const after = at + name.length + 2;
    if (at >= 0 && (after === message.length || message.startsWith(' (', after))) return message.slice(0, at) + message.slice(after);
  }
  return message;
}

/** The service and credentials a command used, when it got that far. */
export interface FailureContext {
  readonly url?: string | undefined;
  readonly credentials?: Credentials | undefined;
}

/**
 * The exit status and the one stderr line for an error that stopped a command: the service unreachable,
 * unavailable or refusing the credentials is 3; a usage mistake 2; a request refused as a whole 1.
 */
export function describeFailure(error: unknown, context: FailureContext = {}): { exitCode: ExitCode; message: string } {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message };
  if (error instanceof IncompleteBulkError) {
    const cause = error.cause instanceof ReplicatError ? describeFailure(error.cause, context) : undefined;
    return { exitCode: cause?.exitCode ?? ExitCode.ItemsFailed, message: error.message };
  }
  if (error instanceof Unauthenticated) return { exitCode: ExitCode.Unreachable, message: refusedCredentials(error, context.credentials) };
  if (error instanceof TooManyRequests) return { exitCode: ExitCode.Unreachable, message: `refused for now: ${error.message}` };
  if (error instanceof NetworkError) return { exitCode: ExitCode.Unreachable, message: `cannot reach the service: ${describeConnectionFailure(error, context.url)}` };
  if (error instanceof TimeoutError || error instanceof Unavailable) {
    return { exitCode: ExitCode.Unreachable, message: `cannot reach the service: ${error.message}` };
  }
  if (error instanceof ReplicatError) {
    return { exitCode: ExitCode.ItemsFailed, message: `${error.message} (${error.code}${error.requestId !== undefined ? `, request ${error.requestId}` : ''})` };
  }
  return { exitCode: ExitCode.ItemsFailed, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

/** A 401: with no credentials, how to give some; with credentials, that they were refused (not to set what is set). */
function refusedCredentials(error: Unauthenticated, credentials: Credentials | undefined): string {
  switch (credentials?.type) {
    case 'basic':
      return `the service refused the credentials of user ${credentials.username} (REPLICAT_USER/REPLICAT_PASSWORD): ${error.message}`;
    case 'bearer':
      return `the service refused the token in REPLICAT_TOKEN (expired or revoked?): ${error.message}`;
    case 'x509':
      return `the service refused the certificate${credentials.source !== undefined ? ` ${credentials.source}` : ''}: ${error.message}`;
    case 'none':
    case undefined: {
      const how = error.methods.length > 0 ? ` (the service takes: ${error.methods.join(', ')})` : '';
      return `not authenticated: ${error.message}${how}; set X509_USER_PROXY, REPLICAT_TOKEN or REPLICAT_USER/REPLICAT_PASSWORD`;
    }
  }
}
