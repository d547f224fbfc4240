import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo, TextSink } from '../../src/cli/cli-io';
import { runReplicat, runTool } from '../../src/cli/program';
import { startTestCatalog, type TestCatalog, type TestCatalogOptions, type TEST_LIMITS } from '../support/test-catalog';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout split into lines, without the final empty one. */
  readonly lines: string[];
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly stdin?: string;
  /** Whether stdout claims to be a terminal. */
  readonly tty?: boolean;
  /** The terminal's width, when `tty`. */
  readonly columns?: number;
}

export interface CliTestService {
  readonly catalog: TestCatalog;
  readonly baseUrl: string;
  /** A scratch directory for this file's inputs, config files and failure files. */
  readonly dir: string;
  /** Every request the service received, as `METHOD /path?query`, in order. */
  readonly requests: string[];
  /** Runs `replicat ARGS…` in-process, as the bin would, against this service. */
  replicat(args: readonly string[], options?: RunOptions): Promise<CliRun>;
  /** Runs a gLite tool (`glite-catalog-ls`, …) in-process, as its bin would. */
  tool(name: string, args: readonly string[], options?: RunOptions): Promise<CliRun>;
  close(): Promise<void>;
}

/**
 * The test catalog on a loopback port (the CLI talks HTTP through the SDK like any outside caller),
 * with a count of the requests it serves, so tests can check what a command costs.
 */
export async function startCliService(limits: Partial<typeof TEST_LIMITS> = {}, options: TestCatalogOptions = {}): Promise<CliTestService> {
  const catalog = await startTestCatalog(limits, options);
  const requests: string[] = [];
  const server = await new Promise<Server>((resolve) => {
    const s = createServer((req, res) => {
      requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
      catalog.app(req, res);
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'replicat-cli-'));

  const io = (options: RunOptions): { io: CliIo; out: () => string; err: () => string } => {
    const out: string[] = [];
    const err: string[] = [];
    const sink = (into: string[], tty: boolean): TextSink => ({ write: (text) => (into.push(text), true), isTTY: tty, ...(tty && options.columns !== undefined ? { columns: options.columns } : {}) });
    return {
      io: {
        stdout: sink(out, options.tty === true),
        stderr: sink(err, false),
        stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
        // No credentials: the test catalog takes every caller for its fixed test identity.
        env: { REPLICAT_ENDPOINT: baseUrl, REPLICAT_CONFIG: join(dir, 'no-config.json'), ...options.env },
        homedir: dir,
      },
      out: () => out.join(''),
      err: () => err.join(''),
    };
  };
  const finish = (code: number, out: string, err: string): CliRun => ({ code, stdout: out, stderr: err, lines: out === '' ? [] : out.replace(/\n$/, '').split('\n') });

  return {
    catalog,
    baseUrl,
    dir,
    requests,
    async replicat(args, runOptions = {}) {
      const { io: cliIo, out, err } = io(runOptions);
      return finish(await runReplicat(args, cliIo), out(), err());
    },
    async tool(name, args, runOptions = {}) {
      const { io: cliIo, out, err } = io(runOptions);
      return finish(await runTool(name, args, cliIo), out(), err());
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await catalog.close();
    },
  };
}

/** Requests made while `work` ran, leaving out GET /api/v1/limits (asked once per client). */
export async function requestsDuring(svc: CliTestService, work: () => Promise<unknown>): Promise<string[]> {
  const before = svc.requests.length;
  await work();
  return svc.requests.slice(before).filter((r) => !r.startsWith('GET /api/v1/limits'));
}

/** A fresh catalog and its first commands can take minutes on a machine shared with other test runs. */
export const STARTUP_MS = 300_000;
