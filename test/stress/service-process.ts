import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '../../src/package-root';

export const ADMIN_PASSWORD = 'stress-admin-password';

/** A line of the service's JSON log that the scenarios look at again. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly audit?: boolean;
  readonly action?: string;
  readonly requestId?: string;
  readonly [field: string]: unknown;
}

export interface ServiceOptions {
  readonly name: string;
  /** Where this run keeps logs. */
  readonly dir: string;
  readonly env: Readonly<Record<string, string>>;
  /** Keep the same port across restarts (the kill scenario restarts on it). */
  readonly port?: number;
}

/**
 * The built service (`dist/src/main.js serve`) as a child process, the way it runs in production: its
 * JSON log goes to a file, audit and error lines are kept for the checks, and its RSS can be sampled.
 */
export class ServiceProcess {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly kept: LogLine[] = [];
  stderr = '';

  private constructor(name: string, port: number, child: ChildProcess, log: WriteStream) {
    this.name = name;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.write(`${line}\n`);
      let parsed: LogLine;
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        return;
      }
      // Request lines are many; the rest (audits, warnings, errors, start and stop) are few and are what the checks need.
      if (parsed.msg !== 'request' || parsed.level >= 40) this.kept.push(parsed);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-10_000);
    });
  }

  static async start(options: ServiceOptions): Promise<ServiceProcess> {
    const port = options.port ?? (await freePort());
    const log = createWriteStream(join(options.dir, `${options.name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [join(packageRoot(), 'dist/src/main.js'), 'serve'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
        REPLICAT_ADMIN_PASSWORD: ADMIN_PASSWORD,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(options.name, port, child, log);
    await service.waitReady(120_000);
    return service;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited while starting: ${this.stderr.trim()}`);
      try {
        if ((await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2000) })).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${this.name} did not become ready in ${timeoutMs} ms`);
  }

  /** Resident memory in MB, from /proc. */
  rssMb(): number {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return Math.round(kb / 102.4) / 10;
    } catch {
      return 0;
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.#exited;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), 30_000);
    await this.#exited;
    clearTimeout(timer);
  }

  auditLines(): LogLine[] {
    return this.kept.filter((line) => line.audit === true);
  }

  errorLines(): LogLine[] {
    return this.kept.filter((line) => line.level >= 50);
  }
}

/** Samples a service's RSS once a second while a scenario runs. */
export class RssSampler {
  readonly samples: { readonly seconds: number; readonly mb: number }[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #started = Date.now();

  constructor(service: ServiceProcess, everyMs = 1000) {
    const take = () => {
      if (service.running) this.samples.push({ seconds: (Date.now() - this.#started) / 1000, mb: service.rssMb() });
    };
    take();
    this.#timer = setInterval(take, everyMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
